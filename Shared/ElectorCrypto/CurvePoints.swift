/// Point canonicalization helpers, so verifiers can re-encode a received `uncompressedP256` (or other)
/// key as the compressed form 1609.2 hashes (domain rule: hash only canonical encodings).
extension Curve {
    /// The affine (x, y) of the compressed point with x coordinate `x` and y parity `yIsOdd`.
    ///
    /// Throws ``CryptoError/invalidPoint`` if `x` has the wrong length or no y exists for it.
    public func decompress(x: [UInt8], yIsOdd: Bool) throws(CryptoError) -> (x: [UInt8], y: [UInt8]) {
        let key = try PublicKey(curve: self, x: x, yIsOdd: yIsOdd)
        return (key.x, key.y)
    }

    /// The affine (x, y) of a SEC 1 compressed point `02/03 || x`.
    public func decompress(compressed: [UInt8]) throws(CryptoError) -> (x: [UInt8], y: [UInt8]) {
        let key = try PublicKey(curve: self, compressed: compressed)
        return (key.x, key.y)
    }

    /// Whether (x, y), each ``fieldBytes`` octets big-endian, is a point of this curve (not infinity).
    public func contains(x: [UInt8], y: [UInt8]) -> Bool {
        (try? compress(x: x, y: y)) != nil
    }

    /// The compressed encoding `02/03 || x` of the uncompressed point (x, y), after checking that it is
    /// on the curve (``CryptoError/invalidPoint`` otherwise).
    public func compress(x: [UInt8], y: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard x.count == fieldBytes, y.count == fieldBytes else { throw .invalidPoint }
        return try PublicKey(curve: self, uncompressed: [0x04] + x + y).compressedRepresentation
    }

    /// The compressed encoding of a SEC 1 uncompressed point `04 || x || y` (validated).
    public func compress(uncompressed: [UInt8]) throws(CryptoError) -> [UInt8] {
        try PublicKey(curve: self, uncompressed: uncompressed).compressedRepresentation
    }
}

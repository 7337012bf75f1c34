import BallotCodec

/// The top-level decoders under fuzzing.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case certificate, endorsement, ballot, scmsfile
    /// The services' own records (ScmsElectorsRecords.asn): `ValidatedBallot` (scms.ballots.validated) and
    /// `ExpiryEvent` (scms.expiry), both decoded by the GCCF assembler from topic bytes.
    case records
}

/// One fuzz iteration: decode `bytes` as the target's type; if that succeeds, the re-encoding must equal
/// the input (the codec accepts only canonical encodings) — otherwise trap so libFuzzer saves the input.
/// The JSON rendering of every decoded value is produced too, so it is fuzzed as well.
public func fuzzOne(_ target: FuzzTarget, _ bytes: [UInt8]) {
    switch target {
    case .certificate: check(Certificate.self, bytes)
    case .endorsement: check(Ieee1609Dot2Data.self, bytes)
    case .ballot:
        check(BallotForm.self, bytes)
        // A decoded form always holds a ballot (this traps otherwise).
        if let form = try? BallotForm.decode(bytes) { _ = form.electorBallot }
    case .scmsfile: check(ScmsFile.self, bytes)
    case .records:
        check(ValidatedBallot.self, bytes)
        check(ExpiryEvent.self, bytes)
    }
}

func check<T: COERCodable & JSONRepresentable>(_ type: T.Type, _ bytes: [UInt8]) {
    let value: T
    do {
        value = try T(coer: bytes)
    } catch {
        // A clean rejection. The error must describe a place inside the input.
        if error.offset < 0 || error.offset > bytes.count { fatalError("COERError offset out of range: \(error)") }
        return
    }
    if value.coerEncoded != bytes {
        fatalError("\(T.self) decoded a non-canonical input: re-encoding differs")
    }
    // `coerEncoded` re-emits the decoded bytes of unchanged certificates and signed data: encode every
    // component again, so a decoder that accepts what the encoders would write differently is caught.
    if value.coerEncodedFromComponents != bytes {
        fatalError("\(T.self) decoded a non-canonical input: re-encoding component by component differs")
    }
    _ = value.jsonValue(JSONOptions()).serialized(pretty: false)
}

// IEEE1609dot2BaseTypes (IEEE 1609.2-2016, as pinned by CAMP scms-asn release/1.2.4), with the
// IEEE 1609.2-2022 extension alternatives `ecdsaNistP384` / `ecdsaNistP384Signature` also recognised.

// MARK: - Psid, Hostname, SubjectAssurance

/// `Psid ::= INTEGER (0..MAX)` — encoded length-prefixed, minimal octets; this codec holds up to 64 bits.
public struct Psid: COERCodable, JSONRepresentable, ExpressibleByIntegerLiteral, Comparable, CustomStringConvertible {
    /// `SecurityMgmtPsid` (35 = 0x23).
    public static let securityManagement: Psid = 35
    /// `CrlPsid` (256 = 0x100).
    public static let crl: Psid = 256

    public var value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public init(integerLiteral value: UInt64) { self.value = value }

    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { value = try reader.readUnsignedInteger() }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeUnsignedInteger(value) }
    public func jsonValue(_ options: JSONOptions) -> JSONValue { .uint(value) }
    public static func < (a: Psid, b: Psid) -> Bool { a.value < b.value }
    public var description: String { String(value) }
}

/// `Hostname ::= UTF8String (SIZE(0..255))`. Keeps the exact UTF-8 octets (equality is by octets,
/// not by Unicode canonical equivalence).
public struct Hostname: COERCodable, JSONRepresentable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The octets: up to 32 inline (no allocation; certificate names are short), longer ones in an array.
    /// Each length has one representation, so the synthesized `==`/`hash` compare the octets.
    private enum Storage: Hashable, Sendable {
        case inline(OctetWords4, count: UInt8)
        case array([UInt8])

        init(_ octets: [UInt8]) {
            self = octets.count <= OctetWords4.capacity
                ? .inline(OctetWords4(exactly: octets.count, of: octets), count: UInt8(octets.count)) : .array(octets)
        }
    }

    private var storage: Storage

    /// The UTF-8 octets as encoded.
    public var utf8: [UInt8] {
        switch storage {
        case .inline(let words, let count): return words.octets(Int(count))
        case .array(let octets): return octets
        }
    }

    /// A hostname from a string (its UTF-8 octets).
    public init(_ string: String) { storage = Storage(Array(string.utf8)) }
    public init(stringLiteral value: String) { self.init(value) }

    /// The text.
    public var string: String { String(decoding: utf8, as: UTF8.self) }
    public var description: String { string }

    public init(from reader: inout COERReader) throws(COERError) {
        let start = reader.offset
        let n = try reader.readLengthChecked()
        // Fast path: up to 32 ASCII octets are valid UTF-8 of at most 255 characters, kept inline.
        if n <= OctetWords4.capacity && reader.bytes[reader.offset..<(reader.offset + n)].allSatisfy({ $0 < 0x80 }) {
            storage = .inline(try reader.readInlineOctets(n), count: UInt8(n))
            return
        }
        let octets = try reader.readOctets(n)
        if octets.contains(where: { $0 >= 0x80 }) {
            guard let text = String(validating: octets, as: UTF8.self) else {
                throw reader.error(.invalidValue, at: start, "Hostname is not valid UTF-8")
            }
            if text.unicodeScalars.count > 255 {
                throw reader.error(.constraintViolation, at: start, "Hostname longer than 255 characters")
            }
        } else if octets.count > 255 {
            // ASCII: one character per octet.
            throw reader.error(.constraintViolation, at: start, "Hostname longer than 255 characters")
        }
        storage = Storage(octets)
    }

    public func encode(to writer: inout COERWriter) {
        switch storage {
        case .inline(let words, let count):
            writer.writeLength(Int(count))
            writer.writeInlineOctets(words, count: Int(count))
        case .array(let octets):
            writer.writeOctetString(octets)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue { .string(string) }
}

/// `SubjectAssurance ::= OCTET STRING (SIZE(1))`.
public struct SubjectAssurance: FixedOctetString {
    public static let octetCount = 1
    var storage: OctetWords1
    public var bytes: [UInt8] { storage.octets(Self.octetCount) }
    public init(uncheckedBytes: [UInt8]) { storage = .init(exactly: Self.octetCount, of: uncheckedBytes) }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { storage = try reader.readInlineOctets(Self.octetCount) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeInlineOctets(storage, count: Self.octetCount) }
}

// MARK: - Time spans

/// `Duration ::= CHOICE { microseconds, milliseconds, seconds, minutes, hours, sixtyHours, years }`
/// (each `Uint16`; not extensible).
public enum Duration: COERCodable, JSONRepresentable {
    case microseconds(UInt16)
    case milliseconds(UInt16)
    case seconds(UInt16)
    case minutes(UInt16)
    case hours(UInt16)
    case sixtyHours(UInt16)
    /// A 1609.2 year is 31 556 952 s.
    case years(UInt16)

    /// Seconds per 1609.2 year.
    public static let secondsPerYear: Int64 = 31_556_952

    /// The span in whole seconds (micro- and milliseconds round down).
    public var wholeSeconds: Int64 {
        switch self {
        case .microseconds(let v): return Int64(v) / 1_000_000
        case .milliseconds(let v): return Int64(v) / 1_000
        case .seconds(let v): return Int64(v)
        case .minutes(let v): return Int64(v) * 60
        case .hours(let v): return Int64(v) * 3_600
        case .sixtyHours(let v): return Int64(v) * 216_000
        case .years(let v): return Int64(v) * Duration.secondsPerYear
        }
    }

    /// The span in microseconds.
    public var totalMicroseconds: Int64 {
        switch self {
        case .microseconds(let v): return Int64(v)
        case .milliseconds(let v): return Int64(v) * 1_000
        default: return wholeSeconds * 1_000_000
        }
    }

    /// Alternative names, by tag.
    static let alternativeNames = ["microseconds", "milliseconds", "seconds", "minutes", "hours", "sixtyHours", "years"]

    private var parts: (UInt, String, UInt16) {
        switch self {
        case .microseconds(let v): return (0, "microseconds", v)
        case .milliseconds(let v): return (1, "milliseconds", v)
        case .seconds(let v): return (2, "seconds", v)
        case .minutes(let v): return (3, "minutes", v)
        case .hours(let v): return (4, "hours", v)
        case .sixtyHours(let v): return (5, "sixtyHours", v)
        case .years(let v): return (6, "years", v)
        }
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let start = reader.offset
        let tag = try reader.readChoiceTag()
        guard tag < 7 else { throw reader.unknownAlternative(tag, of: "Duration", at: start) }
        let v = try reader.component(Self.alternativeNames[Int(tag)]) { (r: inout COERReader) throws(COERError) in
            try r.readUInt16()
        }
        switch tag {
        case 0: self = .microseconds(v)
        case 1: self = .milliseconds(v)
        case 2: self = .seconds(v)
        case 3: self = .minutes(v)
        case 4: self = .hours(v)
        case 5: self = .sixtyHours(v)
        default: self = .years(v)
        }
    }

    @inline(__always)
    public func encode(to writer: inout COERWriter) {
        let (tag, _, v) = parts
        writer.writeChoiceTag(tag)
        writer.writeUInt16(v)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        let (_, name, v) = parts
        return .choice(name, .int(Int64(v)))
    }
}

/// `ValidityPeriod ::= SEQUENCE { start Time32, duration Duration }`.
public struct ValidityPeriod: COERCodable, JSONRepresentable {
    public var start: Time32
    public var duration: Duration

    public init(start: Time32, duration: Duration) {
        self.start = start
        self.duration = duration
    }

    /// The first TAI second (Time32 scale) at which the period is over: `start + duration`
    /// (may exceed the Time32 range, hence Int64).
    public var endSeconds: Int64 { Int64(start.seconds) + duration.wholeSeconds }

    /// Whether `time` is within `[start, start + duration)`.
    public func contains(_ time: Time32) -> Bool {
        time.seconds >= start.seconds && Int64(time.seconds) < endSeconds
    }

    public init(from reader: inout COERReader) throws(COERError) {
        start = try reader.decode("start")
        duration = try reader.decode("duration")
    }

    @inline(__always)
    public func encode(to writer: inout COERWriter) {
        start.encode(to: &writer)
        duration.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("start", start.jsonValue(options)), ("duration", duration.jsonValue(options))])
    }
}

// MARK: - Locations and regions

/// `TwoDLocation ::= SEQUENCE { latitude Latitude, longitude Longitude }` (4-octet signed each,
/// micro-degrees; range constraints are left to the verifier).
public struct TwoDLocation: COERCodable, JSONRepresentable {
    public var latitude: Int32
    public var longitude: Int32

    public init(latitude: Int32, longitude: Int32) {
        self.latitude = latitude
        self.longitude = longitude
    }

    public init(from reader: inout COERReader) throws(COERError) {
        latitude = try reader.decodeInt32("latitude")
        longitude = try reader.decodeInt32("longitude")
    }

    public func encode(to writer: inout COERWriter) {
        writer.writeInt32(latitude)
        writer.writeInt32(longitude)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("latitude", .int(Int64(latitude))), ("longitude", .int(Int64(longitude)))])
    }
}

/// `ThreeDLocation ::= SEQUENCE { latitude, longitude, elevation Uint16 }`.
public struct ThreeDLocation: COERCodable, JSONRepresentable {
    public var latitude: Int32
    public var longitude: Int32
    public var elevation: UInt16

    public init(latitude: Int32, longitude: Int32, elevation: UInt16) {
        self.latitude = latitude
        self.longitude = longitude
        self.elevation = elevation
    }

    public init(from reader: inout COERReader) throws(COERError) {
        latitude = try reader.decodeInt32("latitude")
        longitude = try reader.decodeInt32("longitude")
        elevation = try reader.decode("elevation")
    }

    public func encode(to writer: inout COERWriter) {
        writer.writeInt32(latitude)
        writer.writeInt32(longitude)
        writer.writeUInt16(elevation)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("latitude", .int(Int64(latitude))), ("longitude", .int(Int64(longitude))),
                 ("elevation", .int(Int64(elevation)))])
    }
}

/// `CircularRegion ::= SEQUENCE { center TwoDLocation, radius Uint16 }`.
public struct CircularRegion: COERCodable, JSONRepresentable {
    public var center: TwoDLocation
    public var radius: UInt16

    public init(center: TwoDLocation, radius: UInt16) {
        self.center = center
        self.radius = radius
    }

    public init(from reader: inout COERReader) throws(COERError) {
        center = try reader.decode("center")
        radius = try reader.decode("radius")
    }

    public func encode(to writer: inout COERWriter) {
        center.encode(to: &writer)
        writer.writeUInt16(radius)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("center", center.jsonValue(options)), ("radius", .int(Int64(radius)))])
    }
}

/// `RectangularRegion ::= SEQUENCE { northWest TwoDLocation, southEast TwoDLocation }`.
public struct RectangularRegion: COERCodable, JSONRepresentable {
    public var northWest: TwoDLocation
    public var southEast: TwoDLocation

    public init(northWest: TwoDLocation, southEast: TwoDLocation) {
        self.northWest = northWest
        self.southEast = southEast
    }

    public init(from reader: inout COERReader) throws(COERError) {
        northWest = try reader.decode("northWest")
        southEast = try reader.decode("southEast")
    }

    public func encode(to writer: inout COERWriter) {
        northWest.encode(to: &writer)
        southEast.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("northWest", northWest.jsonValue(options)), ("southEast", southEast.jsonValue(options))])
    }
}

/// `CountryAndRegions ::= SEQUENCE { countryOnly CountryOnly, regions SequenceOfUint8 }`.
public struct CountryAndRegions: COERCodable, JSONRepresentable {
    public var countryOnly: UInt16
    public var regions: [UInt8]

    public init(countryOnly: UInt16, regions: [UInt8]) {
        self.countryOnly = countryOnly
        self.regions = regions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        countryOnly = try reader.decode("countryOnly")
        regions = try reader.decodeSequenceOf("regions", UInt8.self)
    }

    public func encode(to writer: inout COERWriter) {
        writer.writeUInt16(countryOnly)
        writer.writeSequenceOf(regions)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("countryOnly", .int(Int64(countryOnly))), ("regions", regions.json(options))])
    }
}

/// `RegionAndSubregions ::= SEQUENCE { region Uint8, subregions SequenceOfUint16 }`.
public struct RegionAndSubregions: COERCodable, JSONRepresentable {
    public var region: UInt8
    public var subregions: [UInt16]

    public init(region: UInt8, subregions: [UInt16]) {
        self.region = region
        self.subregions = subregions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        region = try reader.decode("region")
        subregions = try reader.decodeSequenceOf("subregions", UInt16.self, minElementSize: 2)
    }

    public func encode(to writer: inout COERWriter) {
        writer.writeUInt8(region)
        writer.writeSequenceOf(subregions)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("region", .int(Int64(region))), ("subregions", subregions.json(options))])
    }
}

/// `CountryAndSubregions ::= SEQUENCE { country CountryOnly, regionAndSubregions SequenceOfRegionAndSubregions }`.
public struct CountryAndSubregions: COERCodable, JSONRepresentable {
    public var country: UInt16
    public var regionAndSubregions: [RegionAndSubregions]

    public init(country: UInt16, regionAndSubregions: [RegionAndSubregions]) {
        self.country = country
        self.regionAndSubregions = regionAndSubregions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        country = try reader.decode("country")
        regionAndSubregions = try reader.decodeSequenceOf("regionAndSubregions", RegionAndSubregions.self, minElementSize: 3)
    }

    public func encode(to writer: inout COERWriter) {
        writer.writeUInt16(country)
        writer.writeSequenceOf(regionAndSubregions)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("country", .int(Int64(country))), ("regionAndSubregions", regionAndSubregions.json(options))])
    }
}

/// `IdentifiedRegion ::= CHOICE { countryOnly, countryAndRegions, countryAndSubregions, ... }`.
public enum IdentifiedRegion: COERCodable, JSONRepresentable {
    case countryOnly(UInt16)
    case countryAndRegions(CountryAndRegions)
    case countryAndSubregions(CountryAndSubregions)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .countryOnly(try reader.decode("countryOnly"))
        case 1: self = .countryAndRegions(try reader.decode("countryAndRegions"))
        case 2: self = .countryAndSubregions(try reader.decode("countryAndSubregions"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .countryOnly(let v): writer.writeChoiceTag(0); writer.writeUInt16(v)
        case .countryAndRegions(let v): writer.writeChoiceTag(1); v.encode(to: &writer)
        case .countryAndSubregions(let v): writer.writeChoiceTag(2); v.encode(to: &writer)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .countryOnly(let v): return .choice("countryOnly", .int(Int64(v)))
        case .countryAndRegions(let v): return .choice("countryAndRegions", v.jsonValue(options))
        case .countryAndSubregions(let v): return .choice("countryAndSubregions", v.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `GeographicRegion ::= CHOICE { circularRegion, rectangularRegion, polygonalRegion, identifiedRegion, ... }`.
public enum GeographicRegion: COERCodable, JSONRepresentable {
    case circularRegion(CircularRegion)
    case rectangularRegion([RectangularRegion])
    /// `PolygonalRegion ::= SEQUENCE SIZE(3..MAX) OF TwoDLocation`.
    case polygonalRegion([TwoDLocation])
    case identifiedRegion([IdentifiedRegion])
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .circularRegion(try reader.decode("circularRegion"))
        case 1:
            self = .rectangularRegion(try reader.decodeSequenceOf("rectangularRegion", RectangularRegion.self, minElementSize: 16))
        case 2:
            self = .polygonalRegion(try reader.decodeSequenceOf("polygonalRegion", TwoDLocation.self, size: 3...Int.max, minElementSize: 8))
        case 3:
            self = .identifiedRegion(try reader.decodeSequenceOf("identifiedRegion", IdentifiedRegion.self, minElementSize: 2))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .circularRegion(let v): writer.writeChoiceTag(0); v.encode(to: &writer)
        case .rectangularRegion(let v): writer.writeChoiceTag(1); writer.writeSequenceOf(v)
        case .polygonalRegion(let v): writer.writeChoiceTag(2); writer.writeSequenceOf(v)
        case .identifiedRegion(let v): writer.writeChoiceTag(3); writer.writeSequenceOf(v)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .circularRegion(let v): return .choice("circularRegion", v.jsonValue(options))
        case .rectangularRegion(let v): return .choice("rectangularRegion", v.json(options))
        case .polygonalRegion(let v): return .choice("polygonalRegion", v.json(options))
        case .identifiedRegion(let v): return .choice("identifiedRegion", v.json(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

// MARK: - Curve points and signatures

/// Shared shape of `EccP256CurvePoint` / `EccP384CurvePoint`.
public enum EccCurvePoint<Coordinate: FixedOctetString>: COERCodable, JSONRepresentable {
    case xOnly(Coordinate)
    case fill
    case compressedY0(Coordinate)
    case compressedY1(Coordinate)
    case uncompressed(x: Coordinate, y: Coordinate)

    public static var asn1TypeName: String { Coordinate.octetCount == 48 ? "EccP384CurvePoint" : "EccP256CurvePoint" }

    /// The x coordinate (nil for `fill`).
    public var x: Coordinate? {
        switch self {
        case .xOnly(let x), .compressedY0(let x), .compressedY1(let x), .uncompressed(let x, _): return x
        case .fill: return nil
        }
    }

    /// SEC 1 octets of a point that names y (`02|x`, `03|x`, `04|x|y`), nil for x-only and fill.
    public var sec1Encoding: [UInt8]? {
        switch self {
        case .compressedY0(let x): return [0x02] + x.bytes
        case .compressedY1(let x): return [0x03] + x.bytes
        case .uncompressed(let x, let y): return [0x04] + x.bytes + y.bytes
        case .xOnly, .fill: return nil
        }
    }

    private var uncompressedName: String { Coordinate.octetCount == 48 ? "uncompressedP384" : "uncompressedP256" }

    public init(from reader: inout COERReader) throws(COERError) {
        let start = reader.offset
        switch try reader.readChoiceTag() {
        case 0: self = .xOnly(try reader.decode("x-only"))
        case 1: self = .fill
        case 2: self = .compressedY0(try reader.decode("compressed-y-0"))
        case 3: self = .compressedY1(try reader.decode("compressed-y-1"))
        case 4:
            self = try reader.component(Coordinate.octetCount == 48 ? "uncompressedP384" : "uncompressedP256") {
                (r: inout COERReader) throws(COERError) in
                .uncompressed(x: try r.decode("x"), y: try r.decode("y"))
            }
        case let tag: throw reader.unknownAlternative(tag, of: Self.asn1TypeName, at: start)
        }
    }

    @inline(__always)
    public func encode(to writer: inout COERWriter) {
        switch self {
        case .xOnly(let x): writer.writeChoiceTag(0); x.encode(to: &writer)
        case .fill: writer.writeChoiceTag(1)
        case .compressedY0(let x): writer.writeChoiceTag(2); x.encode(to: &writer)
        case .compressedY1(let x): writer.writeChoiceTag(3); x.encode(to: &writer)
        case .uncompressed(let x, let y): writer.writeChoiceTag(4); x.encode(to: &writer); y.encode(to: &writer)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .xOnly(let x): return .choice("x-only", x.jsonValue(options))
        case .fill: return .choice("fill", .null)
        case .compressedY0(let x): return .choice("compressed-y-0", x.jsonValue(options))
        case .compressedY1(let x): return .choice("compressed-y-1", x.jsonValue(options))
        case .uncompressed(let x, let y):
            return .choice(uncompressedName, .object([("x", x.jsonValue(options)), ("y", y.jsonValue(options))]))
        }
    }
}

/// `EccP256CurvePoint` — 32-octet coordinates.
public typealias EccP256CurvePoint = EccCurvePoint<Octets32>
/// `EccP384CurvePoint` — 48-octet coordinates.
public typealias EccP384CurvePoint = EccCurvePoint<Octets48>

/// Shared shape of `EcdsaP256Signature` / `EcdsaP384Signature`: `SEQUENCE { rSig EccPxxxCurvePoint, sSig OCTET STRING }`.
public struct EcdsaSignature<Coordinate: FixedOctetString>: COERCodable, JSONRepresentable {
    public var rSig: EccCurvePoint<Coordinate>
    public var sSig: Coordinate

    public static var asn1TypeName: String { Coordinate.octetCount == 48 ? "EcdsaP384Signature" : "EcdsaP256Signature" }

    public init(rSig: EccCurvePoint<Coordinate>, sSig: Coordinate) {
        self.rSig = rSig
        self.sSig = sSig
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let rSig: EccCurvePoint<Coordinate> = try reader.decode("rSig")
        let sSig: Coordinate = try reader.decode("sSig")
        self.init(rSig: rSig, sSig: sSig)
    }

    @inline(__always)
    public func encode(to writer: inout COERWriter) {
        rSig.encode(to: &writer)
        sSig.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("rSig", rSig.jsonValue(options)), ("sSig", sSig.jsonValue(options))])
    }
}

/// `EcdsaP256Signature`.
public typealias EcdsaP256Signature = EcdsaSignature<Octets32>
/// `EcdsaP384Signature`.
public typealias EcdsaP384Signature = EcdsaSignature<Octets48>

/// `Signature ::= CHOICE { ecdsaNistP256Signature, ecdsaBrainpoolP256r1Signature, ...,
/// ecdsaBrainpoolP384r1Signature, [2022:] ecdsaNistP384Signature }`.
public enum Signature: COERCodable, JSONRepresentable {
    case ecdsaNistP256Signature(EcdsaP256Signature)
    case ecdsaBrainpoolP256r1Signature(EcdsaP256Signature)
    // The P-384 alternatives are boxed (`indirect`) so that they do not double the size of every
    // P-256 signature value.
    indirect case ecdsaBrainpoolP384r1Signature(EcdsaP384Signature)
    /// IEEE 1609.2-2022 extension alternative [3].
    indirect case ecdsaNistP384Signature(EcdsaP384Signature)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .ecdsaNistP256Signature(try reader.decode("ecdsaNistP256Signature"))
        case 1: self = .ecdsaBrainpoolP256r1Signature(try reader.decode("ecdsaBrainpoolP256r1Signature"))
        case 2: self = .ecdsaBrainpoolP384r1Signature(try reader.decodeExtensionAlternative("ecdsaBrainpoolP384r1Signature"))
        case 3: self = .ecdsaNistP384Signature(try reader.decodeExtensionAlternative("ecdsaNistP384Signature"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    @inline(__always)
    public func encode(to writer: inout COERWriter) {
        switch self {
        case .ecdsaNistP256Signature(let s): writer.writeChoiceTag(0); s.encode(to: &writer)
        case .ecdsaBrainpoolP256r1Signature(let s): writer.writeChoiceTag(1); s.encode(to: &writer)
        case .ecdsaBrainpoolP384r1Signature(let s): writer.writeExtensionAlternative(tag: 2, s)
        case .ecdsaNistP384Signature(let s): writer.writeExtensionAlternative(tag: 3, s)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .ecdsaNistP256Signature(let s): return .choice("ecdsaNistP256Signature", s.jsonValue(options))
        case .ecdsaBrainpoolP256r1Signature(let s): return .choice("ecdsaBrainpoolP256r1Signature", s.jsonValue(options))
        case .ecdsaBrainpoolP384r1Signature(let s): return .choice("ecdsaBrainpoolP384r1Signature", s.jsonValue(options))
        case .ecdsaNistP384Signature(let s): return .choice("ecdsaNistP384Signature", s.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

// MARK: - Algorithms

/// `HashAlgorithm ::= ENUMERATED { sha256, ..., sha384 }` (OER: no extension bit; value octet only).
public enum HashAlgorithm: COERCodable, JSONRepresentable {
    case sha256
    case sha384
    /// A value this codec does not name (e.g. 2022 `sm3` = 2).
    case unknown(Int)

    public var rawValue: Int {
        switch self {
        case .sha256: return 0
        case .sha384: return 1
        case .unknown(let v): return v
        }
    }

    public init(rawValue: Int) {
        switch rawValue {
        case 0: self = .sha256
        case 1: self = .sha384
        default: self = .unknown(rawValue)
        }
    }

    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { self.init(rawValue: try reader.readEnumerated()) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeEnumerated(rawValue) }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .sha256: return .string("sha256")
        case .sha384: return .string("sha384")
        case .unknown(let v): return .object([("unknown", .int(Int64(v)))])
        }
    }
}

/// `SymmAlgorithm ::= ENUMERATED { aes128Ccm, ... }`.
public enum SymmAlgorithm: COERCodable, JSONRepresentable {
    case aes128Ccm
    case unknown(Int)

    public var rawValue: Int { if case .unknown(let v) = self { return v } else { return 0 } }
    public init(rawValue: Int) { self = rawValue == 0 ? .aes128Ccm : .unknown(rawValue) }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { self.init(rawValue: try reader.readEnumerated()) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeEnumerated(rawValue) }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .aes128Ccm: return .string("aes128Ccm")
        case .unknown(let v): return .object([("unknown", .int(Int64(v)))])
        }
    }
}

// MARK: - Keys

/// `PublicVerificationKey ::= CHOICE { ecdsaNistP256, ecdsaBrainpoolP256r1, ..., ecdsaBrainpoolP384r1,
/// [2022:] ecdsaNistP384 }`.
public enum PublicVerificationKey: COERCodable, JSONRepresentable {
    case ecdsaNistP256(EccP256CurvePoint)
    case ecdsaBrainpoolP256r1(EccP256CurvePoint)
    // The P-384 alternatives are boxed (`indirect`) so that they do not double the size of every P-256 key.
    indirect case ecdsaBrainpoolP384r1(EccP384CurvePoint)
    /// IEEE 1609.2-2022 extension alternative [3].
    indirect case ecdsaNistP384(EccP384CurvePoint)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .ecdsaNistP256(try reader.decode("ecdsaNistP256"))
        case 1: self = .ecdsaBrainpoolP256r1(try reader.decode("ecdsaBrainpoolP256r1"))
        case 2: self = .ecdsaBrainpoolP384r1(try reader.decodeExtensionAlternative("ecdsaBrainpoolP384r1"))
        case 3: self = .ecdsaNistP384(try reader.decodeExtensionAlternative("ecdsaNistP384"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    @inline(__always)
    public func encode(to writer: inout COERWriter) {
        switch self {
        case .ecdsaNistP256(let p): writer.writeChoiceTag(0); p.encode(to: &writer)
        case .ecdsaBrainpoolP256r1(let p): writer.writeChoiceTag(1); p.encode(to: &writer)
        case .ecdsaBrainpoolP384r1(let p): writer.writeExtensionAlternative(tag: 2, p)
        case .ecdsaNistP384(let p): writer.writeExtensionAlternative(tag: 3, p)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .ecdsaNistP256(let p): return .choice("ecdsaNistP256", p.jsonValue(options))
        case .ecdsaBrainpoolP256r1(let p): return .choice("ecdsaBrainpoolP256r1", p.jsonValue(options))
        case .ecdsaBrainpoolP384r1(let p): return .choice("ecdsaBrainpoolP384r1", p.jsonValue(options))
        case .ecdsaNistP384(let p): return .choice("ecdsaNistP384", p.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `BasePublicEncryptionKey ::= CHOICE { eciesNistP256, eciesBrainpoolP256r1, ... }`.
public enum BasePublicEncryptionKey: COERCodable, JSONRepresentable {
    case eciesNistP256(EccP256CurvePoint)
    case eciesBrainpoolP256r1(EccP256CurvePoint)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .eciesNistP256(try reader.decode("eciesNistP256"))
        case 1: self = .eciesBrainpoolP256r1(try reader.decode("eciesBrainpoolP256r1"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .eciesNistP256(let p): writer.writeChoiceTag(0); p.encode(to: &writer)
        case .eciesBrainpoolP256r1(let p): writer.writeChoiceTag(1); p.encode(to: &writer)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .eciesNistP256(let p): return .choice("eciesNistP256", p.jsonValue(options))
        case .eciesBrainpoolP256r1(let p): return .choice("eciesBrainpoolP256r1", p.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `PublicEncryptionKey ::= SEQUENCE { supportedSymmAlg SymmAlgorithm, publicKey BasePublicEncryptionKey }`.
public struct PublicEncryptionKey: COERCodable, JSONRepresentable {
    public var supportedSymmAlg: SymmAlgorithm
    public var publicKey: BasePublicEncryptionKey

    public init(supportedSymmAlg: SymmAlgorithm, publicKey: BasePublicEncryptionKey) {
        self.supportedSymmAlg = supportedSymmAlg
        self.publicKey = publicKey
    }

    public init(from reader: inout COERReader) throws(COERError) {
        supportedSymmAlg = try reader.decode("supportedSymmAlg")
        publicKey = try reader.decode("publicKey")
    }

    public func encode(to writer: inout COERWriter) {
        supportedSymmAlg.encode(to: &writer)
        publicKey.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("supportedSymmAlg", supportedSymmAlg.jsonValue(options)), ("publicKey", publicKey.jsonValue(options))])
    }
}

/// `SymmetricEncryptionKey ::= CHOICE { aes128Ccm OCTET STRING (SIZE(16)), ... }`.
public enum SymmetricEncryptionKey: COERCodable, JSONRepresentable {
    case aes128Ccm(Octets16)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .aes128Ccm(try reader.decode("aes128Ccm"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .aes128Ccm(let k): writer.writeChoiceTag(0); k.encode(to: &writer)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .aes128Ccm(let k): return .choice("aes128Ccm", k.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `EncryptionKey ::= CHOICE { public PublicEncryptionKey, symmetric SymmetricEncryptionKey }` (not extensible).
public enum EncryptionKey: COERCodable, JSONRepresentable {
    case `public`(PublicEncryptionKey)
    case symmetric(SymmetricEncryptionKey)

    public init(from reader: inout COERReader) throws(COERError) {
        let start = reader.offset
        switch try reader.readChoiceTag() {
        case 0: self = .public(try reader.decode("public"))
        case 1: self = .symmetric(try reader.decode("symmetric"))
        case let tag: throw reader.error(.invalidValue, at: start, "unknown EncryptionKey alternative [\(tag)]")
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .public(let k): writer.writeChoiceTag(0); k.encode(to: &writer)
        case .symmetric(let k): writer.writeChoiceTag(1); k.encode(to: &writer)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .public(let k): return .choice("public", k.jsonValue(options))
        case .symmetric(let k): return .choice("symmetric", k.jsonValue(options))
        }
    }
}

/// `EciesP256EncryptedKey ::= SEQUENCE { v EccP256CurvePoint, c OCTET STRING (SIZE (16)), t OCTET STRING (SIZE (16)) }`.
public struct EciesP256EncryptedKey: COERCodable, JSONRepresentable {
    public var v: EccP256CurvePoint
    public var c: Octets16
    public var t: Octets16

    public init(v: EccP256CurvePoint, c: Octets16, t: Octets16) {
        self.v = v
        self.c = c
        self.t = t
    }

    public init(from reader: inout COERReader) throws(COERError) {
        v = try reader.decode("v")
        c = try reader.decode("c")
        t = try reader.decode("t")
    }

    public func encode(to writer: inout COERWriter) {
        v.encode(to: &writer)
        c.encode(to: &writer)
        t.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("v", v.jsonValue(options)), ("c", c.jsonValue(options)), ("t", t.jsonValue(options))])
    }
}

// MARK: - Permissions

/// `ServiceSpecificPermissions ::= CHOICE { opaque OCTET STRING (SIZE(0..MAX)), ..., bitmapSsp BitmapSsp }`.
public enum ServiceSpecificPermissions: COERCodable, JSONRepresentable {
    case opaque([UInt8])
    /// `BitmapSsp ::= OCTET STRING (SIZE(0..31))`.
    case bitmapSsp([UInt8])
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0:
            self = .opaque(try reader.decodeOctetString("opaque"))
        case 1:
            self = .bitmapSsp(try reader.component("bitmapSsp") { (r: inout COERReader) throws(COERError) in
                try r.readOpenType { (inner: inout COERReader) throws(COERError) in try inner.readOctetString(size: 0...31) }
            })
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    @inline(__always)
    public func encode(to writer: inout COERWriter) {
        switch self {
        case .opaque(let b): writer.writeChoiceTag(0); writer.writeOctetString(b)
        case .bitmapSsp(let b):
            writer.writeChoiceTag(1)
            writer.writeOpenType { $0.writeOctetString(b) }
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .opaque(let b): return .choice("opaque", .hex(b))
        case .bitmapSsp(let b): return .choice("bitmapSsp", .hex(b))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `PsidSsp ::= SEQUENCE { psid Psid, ssp ServiceSpecificPermissions OPTIONAL }`.
public struct PsidSsp: COERCodable, JSONRepresentable {
    public var psid: Psid
    public var ssp: ServiceSpecificPermissions?

    public init(psid: Psid, ssp: ServiceSpecificPermissions? = nil) {
        self.psid = psid
        self.ssp = ssp
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let preamble = try reader.readPreamble(extensible: false, optionalCount: 1)
        let psid: Psid = try reader.decode("psid")
        let ssp: ServiceSpecificPermissions? = try reader.decode("ssp", if: preamble[0])
        self.init(psid: psid, ssp: ssp)
    }

    @inline(__always)
    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(ssp.isPresent)
        psid.encode(to: &writer)
        if let ssp { ssp.encode(to: &writer) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        var members: [(String, JSONValue)] = [("psid", psid.jsonValue(options))]
        if let ssp {
            var sspJSON = ssp.jsonValue(options)
            // For SecurityMgmtPsid, show the SCMS SSP the opaque octets carry (CAMP ScmsSsp).
            if let inner = options.enteringContained, psid == .securityManagement, case .opaque(let octets) = ssp,
               let decoded = try? ScmsSsp(coer: octets) {
                sspJSON = .choice("opaque", .object([("hex", .hex(octets)), ("decoded", decoded.jsonValue(inner))]))
            }
            members.append(("ssp", sspJSON))
        }
        return .object(members)
    }
}

/// `BitmapSspRange ::= SEQUENCE { sspValue OCTET STRING (SIZE(1..32)), sspBitmask OCTET STRING (SIZE(1..32)) }`.
public struct BitmapSspRange: COERCodable, JSONRepresentable {
    public var sspValue: [UInt8]
    public var sspBitmask: [UInt8]

    public init(sspValue: [UInt8], sspBitmask: [UInt8]) {
        self.sspValue = sspValue
        self.sspBitmask = sspBitmask
    }

    public init(from reader: inout COERReader) throws(COERError) {
        sspValue = try reader.decodeOctetString("sspValue", size: 1...32)
        sspBitmask = try reader.decodeOctetString("sspBitmask", size: 1...32)
    }

    public func encode(to writer: inout COERWriter) {
        writer.writeOctetString(sspValue)
        writer.writeOctetString(sspBitmask)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("sspValue", .hex(sspValue)), ("sspBitmask", .hex(sspBitmask))])
    }
}

/// `SspRange ::= CHOICE { opaque SequenceOfOctetString, all NULL, ..., bitmapSspRange BitmapSspRange }`.
public enum SspRange: COERCodable, JSONRepresentable {
    case opaque([[UInt8]])
    case all
    case bitmapSspRange(BitmapSspRange)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0:
            self = .opaque(try reader.decodeSequenceOf("opaque") { (r: inout COERReader) throws(COERError) in
                try r.readOctetString()
            })
        case 1: self = .all
        case 2: self = .bitmapSspRange(try reader.decodeExtensionAlternative("bitmapSspRange"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .opaque(let list):
            writer.writeChoiceTag(0)
            writer.writeSequenceOf(list) { $0.writeOctetString($1) }
        case .all: writer.writeChoiceTag(1)
        case .bitmapSspRange(let r): writer.writeExtensionAlternative(tag: 2, r)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .opaque(let list): return .choice("opaque", .array(list.map { .hex($0) }))
        case .all: return .choice("all", .null)
        case .bitmapSspRange(let r): return .choice("bitmapSspRange", r.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `PsidSspRange ::= SEQUENCE { psid Psid, sspRange SspRange OPTIONAL }`.
public struct PsidSspRange: COERCodable, JSONRepresentable {
    public var psid: Psid
    public var sspRange: SspRange?

    public init(psid: Psid, sspRange: SspRange? = nil) {
        self.psid = psid
        self.sspRange = sspRange
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let preamble = try reader.readPreamble(extensible: false, optionalCount: 1)
        let psid: Psid = try reader.decode("psid")
        let sspRange: SspRange? = try reader.decode("sspRange", if: preamble[0])
        self.init(psid: psid, sspRange: sspRange)
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(sspRange.isPresent)
        psid.encode(to: &writer)
        if let sspRange { sspRange.encode(to: &writer) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        var members: [(String, JSONValue)] = [("psid", psid.jsonValue(options))]
        if let sspRange { members.append(("sspRange", sspRange.jsonValue(options))) }
        return .object(members)
    }
}

/// `GroupLinkageValue ::= SEQUENCE { jValue OCTET STRING (SIZE(4)), value OCTET STRING (SIZE(9)) }`.
public struct GroupLinkageValue: COERCodable, JSONRepresentable {
    public var jValue: Octets4
    public var value: LinkageValue

    public init(jValue: Octets4, value: LinkageValue) {
        self.jValue = jValue
        self.value = value
    }

    public init(from reader: inout COERReader) throws(COERError) {
        jValue = try reader.decode("jValue")
        value = try reader.decode("value")
    }

    public func encode(to writer: inout COERWriter) {
        jValue.encode(to: &writer)
        value.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("jValue", jValue.jsonValue(options)), ("value", value.jsonValue(options))])
    }
}

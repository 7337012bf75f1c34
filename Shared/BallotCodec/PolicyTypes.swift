// CAMP SCMS POC release/1.2.4 Ieee1609dot2ScmsPolicyTypes: policy files (GPF / LPF) and their
// temporal series — plus this project's extension addition `temporalSeriesOfElectorQuorum` of
// `GlobalPolicyData` (see ScmsElectorsExtensions.asn next to this file).

/// `Opaque ::= OCTET STRING` as a COER value (`X509TlsCert`).
public struct Opaque: COERCodable, JSONRepresentable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { bytes = try reader.readOctetString() }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeOctetString(bytes) }
    public func jsonValue(_ options: JSONOptions) -> JSONValue { .hex(bytes) }
}

/// `CertValidityModel ::= ENUMERATED { concurrent(1), non-concurrent(2), ... }`.
public enum CertValidityModel: COERCodable, JSONRepresentable {
    case concurrent
    case nonConcurrent
    case unknown(Int)

    public var rawValue: Int {
        switch self {
        case .concurrent: return 1
        case .nonConcurrent: return 2
        case .unknown(let v): return v
        }
    }

    public init(rawValue: Int) {
        switch rawValue {
        case 1: self = .concurrent
        case 2: self = .nonConcurrent
        default: self = .unknown(rawValue)
        }
    }

    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { self.init(rawValue: try reader.readEnumerated()) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeEnumerated(rawValue) }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .concurrent: return .string("concurrent")
        case .nonConcurrent: return .string("non-concurrent")
        case .unknown(let v): return .object([("unknown", .int(Int64(v)))])
        }
    }
}

// MARK: - Temporal series

/// Describes one `temporalSeriesOfX SEQUENCE { initialX X [DEFAULT d], intervals SEQUENCE SIZE(0..MAX) OF
/// SEQUENCE { startTime Time64, x X } }` of the CAMP policy types.
public protocol TemporalSeriesKind: Sendable {
    associatedtype Value: COERCodable & JSONRepresentable
    /// ASN.1 name of the `initialX` component.
    static var initialName: String { get }
    /// ASN.1 name of the value component of each interval.
    static var valueName: String { get }
    /// The DEFAULT of `initialX`, if it has one (absent from the encoding exactly when equal).
    static var defaultInitial: Value? { get }
}

extension TemporalSeriesKind {
    public static var defaultInitial: Value? { nil }
}

/// A value that changes at given times: `initial` until the first interval's `startTime`, then each
/// interval's value from its `startTime` on.
public struct TemporalSeries<Kind: TemporalSeriesKind>: COERCodable, JSONRepresentable {
    /// `SEQUENCE { startTime Time64, x X }`.
    public struct Interval: COERCodable, JSONRepresentable {
        public var startTime: Time64
        public var value: Kind.Value

        public init(startTime: Time64, value: Kind.Value) {
            self.startTime = startTime
            self.value = value
        }

        public init(from reader: inout COERReader) throws(COERError) {
            startTime = try reader.decode("startTime")
            value = try reader.decode(Kind.valueName)
        }

        public func encode(to writer: inout COERWriter) {
            startTime.encode(to: &writer)
            value.encode(to: &writer)
        }

        public func jsonValue(_ options: JSONOptions) -> JSONValue {
            .object([("startTime", startTime.jsonValue(options)), (Kind.valueName, value.jsonValue(options))])
        }
    }

    public var initial: Kind.Value
    public var intervals: [Interval]

    public init(initial: Kind.Value, intervals: [Interval] = []) {
        self.initial = initial
        self.intervals = intervals
    }

    /// The value in force at `time`: the last interval whose `startTime` ≤ `time` (in list order), else `initial`.
    public func value(at time: Time64) -> Kind.Value {
        var current = initial
        for interval in intervals where interval.startTime <= time { current = interval.value }
        return current
    }

    public init(from reader: inout COERReader) throws(COERError) {
        if let defaultValue = Kind.defaultInitial {
            let p = try reader.readPreamble(extensible: false, optionalCount: 1)
            if p[0] {
                initial = try reader.decodeNonDefault(Kind.initialName, default: defaultValue) {
                    (r: inout COERReader) throws(COERError) in try Kind.Value(from: &r)
                }
            } else {
                initial = defaultValue
            }
        } else {
            initial = try reader.decode(Kind.initialName)
        }
        intervals = try reader.decodeSequenceOf("intervals", Interval.self, minElementSize: 9)
    }

    public func encode(to writer: inout COERWriter) {
        if let defaultValue = Kind.defaultInitial {
            let present = initial != defaultValue
            writer.writePreamble(present)
            if present { initial.encode(to: &writer) }
        } else {
            initial.encode(to: &writer)
        }
        writer.writeSequenceOf(intervals)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([(Kind.initialName, initial.jsonValue(options)), ("intervals", intervals.json(options))])
    }
}

/// The kinds of temporal series in `GlobalPolicyData` and `LocalPolicyData`.
public enum PolicySeries {
    public enum ScmsVersion: TemporalSeriesKind {
        public static let initialName = "initialScmsVersion", valueName = "scmsVersion"
        public static var defaultInitial: UInt8? { 1 }
    }
    public enum CertChainFileID: TemporalSeriesKind {
        public typealias Value = UInt16
        public static let initialName = "initialGlobalCertChainFileID", valueName = "globalCertChainFileID"
    }
    public enum OverdueCrlTolerance: TemporalSeriesKind {
        public typealias Value = Duration
        public static let initialName = "initialOverdueCrlTolerance", valueName = "overdueCrlTolerance"
    }
    public enum IPeriod: TemporalSeriesKind {
        public typealias Value = Duration
        public static let initialName = "initialIPeriod", valueName = "iPeriod"
    }
    public enum MinCertsPerIPeriod: TemporalSeriesKind {
        public static let initialName = "initialMinCertsPerIPeriod", valueName = "minCertsPerIPeriod"
        public static var defaultInitial: UInt8? { 20 }
    }
    public enum CertValidityModelSeries: TemporalSeriesKind {
        public typealias Value = CertValidityModel
        public static let initialName = "initialCertValidityModel", valueName = "certValidityModel"
    }
    public enum MaxAvailableCertSupply: TemporalSeriesKind {
        public typealias Value = Duration
        public static let initialName = "initialMaxAvailableCertSupply", valueName = "maxAvailableCertSupply"
    }
    public enum MaxCertRequestAge: TemporalSeriesKind {
        public typealias Value = Duration
        public static let initialName = "initialMaxCertRequestAge", valueName = "maxCertRequestAge"
    }
    /// In `GlobalPolicyData` (DEFAULT 1000).
    public enum ShuffleThreshold: TemporalSeriesKind {
        public static let initialName = "initialShuffleThreshold", valueName = "shuffleThreshold"
        public static var defaultInitial: UInt32? { 1000 }
    }
    public enum HashOfRequestSize: TemporalSeriesKind {
        public static let initialName = "initialHashOfRequestSize", valueName = "hashOfRequestSize"
        public static var defaultInitial: UInt8? { 32 }
    }
    public enum MaxGpfGccfRetrievalInterval: TemporalSeriesKind {
        public typealias Value = Duration
        public static let initialName = "initialMaxGpfGccfRetrievalInterval", valueName = "maxGpfGccfRetrievalInterval"
    }
    public enum RseApplicationCertValidity: TemporalSeriesKind {
        public typealias Value = Duration
        public static let initialName = "initialRseApplicationCertValidity", valueName = "rseApplicationCertValidity"
    }
    public enum RseApplicationCertOverlap: TemporalSeriesKind {
        public typealias Value = Duration
        public static let initialName = "initialRseApplicationCertOverlap", valueName = "rseApplicationCertOverlap"
    }
    /// Project extension: the elector quorum (`ElectorQuorum ::= Uint8`, meaningful range 1…255).
    public enum ElectorQuorum: TemporalSeriesKind {
        public typealias Value = UInt8
        public static let initialName = "initialElectorQuorum", valueName = "electorQuorum"
    }
    /// In `LocalPolicyData` (no DEFAULT there).
    public enum LocalShuffleThreshold: TemporalSeriesKind {
        public typealias Value = UInt32
        public static let initialName = "initialShuffleThreshold", valueName = "shuffleThreshold"
    }
    public enum CertsPerIPeriod: TemporalSeriesKind {
        public static let initialName = "initialCertsPerIPeriod", valueName = "certsPerIPeriod"
        public static var defaultInitial: UInt8? { 20 }
    }
    public enum LaOneHost: TemporalSeriesKind {
        public typealias Value = Hostname
        public static let initialName = "initialLaOneHost", valueName = "laOneHost"
    }
    public enum LaTwoHost: TemporalSeriesKind {
        public typealias Value = Hostname
        public static let initialName = "initialLaTwoHost", valueName = "laTwoHost"
    }
    public enum PcaHost: TemporalSeriesKind {
        public typealias Value = Hostname
        public static let initialName = "initialPcaHost", valueName = "pcaHost"
    }
    public enum RaX509TlsCert: TemporalSeriesKind {
        public typealias Value = Opaque
        public static let initialName = "initialRaX509TlsCert", valueName = "raX509TlsCert"
    }
    public enum LaX509TlsCert: TemporalSeriesKind {
        public typealias Value = Opaque
        public static let initialName = "initialLaX509TlsCert", valueName = "laX509TlsCert"
    }
    public enum PcaX509TlsCert: TemporalSeriesKind {
        public typealias Value = Opaque
        public static let initialName = "initialPcaX509TlsCert", valueName = "pcaX509TlsCert"
    }
    public enum SharedKeyUpdateInterval: TemporalSeriesKind {
        public typealias Value = Duration
        public static let initialName = "initialSharedKeyUpdateInterval", valueName = "sharedKeyUpdateInterval"
    }
}

// MARK: - Optional-series plumbing

extension COERReader {
    mutating func decodeSeries<K: TemporalSeriesKind>(_ name: String, if present: Bool) throws(COERError) -> TemporalSeries<K>? {
        try decode(name, if: present, as: TemporalSeries<K>.self)
    }
}

private func appendJSON<K>(_ m: inout [(String, JSONValue)], _ name: String, _ s: TemporalSeries<K>?, _ o: JSONOptions) {
    if let s { m.append((name, s.jsonValue(o))) }
}

// MARK: - GlobalPolicyData

/// `GlobalPolicyData ::= SEQUENCE { temporalSeriesOfScmsVersion … OPTIONAL, …,
/// temporalSeriesOfRseApplicationCertOVerlap … OPTIONAL, ..., [project extension]
/// temporalSeriesOfElectorQuorum … OPTIONAL }` — every series of CAMP release/1.2.4.
///
/// `temporalSeriesOfElectorQuorum` is this project's first extension addition (ScmsElectorsExtensions.asn):
/// CAMP's GPF has no quorum field; an encoder that does not know it never sets the extension bit, and
/// a CAMP decoder skips it as an unknown (length-prefixed) addition.
public struct GlobalPolicyData: COERCodable, JSONRepresentable {
    public var scmsVersion: TemporalSeries<PolicySeries.ScmsVersion>?
    public var certChainFileID: TemporalSeries<PolicySeries.CertChainFileID>?
    public var overdueCrlTolerance: TemporalSeries<PolicySeries.OverdueCrlTolerance>?
    public var iPeriod: TemporalSeries<PolicySeries.IPeriod>?
    public var minCertsPerIPeriod: TemporalSeries<PolicySeries.MinCertsPerIPeriod>?
    public var certValidityModel: TemporalSeries<PolicySeries.CertValidityModelSeries>?
    public var maxAvailableCertSupply: TemporalSeries<PolicySeries.MaxAvailableCertSupply>?
    public var maxCertRequestAge: TemporalSeries<PolicySeries.MaxCertRequestAge>?
    public var shuffleThreshold: TemporalSeries<PolicySeries.ShuffleThreshold>?
    public var hashOfRequestSize: TemporalSeries<PolicySeries.HashOfRequestSize>?
    public var maxGpfGccfRetrievalInterval: TemporalSeries<PolicySeries.MaxGpfGccfRetrievalInterval>?
    public var rseApplicationCertValidity: TemporalSeries<PolicySeries.RseApplicationCertValidity>?
    public var rseApplicationCertOverlap: TemporalSeries<PolicySeries.RseApplicationCertOverlap>?
    /// Extension addition 1 (project extension): the elector quorum over time.
    public var electorQuorum: TemporalSeries<PolicySeries.ElectorQuorum>?
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(scmsVersion: TemporalSeries<PolicySeries.ScmsVersion>? = nil,
                certChainFileID: TemporalSeries<PolicySeries.CertChainFileID>? = nil,
                overdueCrlTolerance: TemporalSeries<PolicySeries.OverdueCrlTolerance>? = nil,
                iPeriod: TemporalSeries<PolicySeries.IPeriod>? = nil,
                minCertsPerIPeriod: TemporalSeries<PolicySeries.MinCertsPerIPeriod>? = nil,
                certValidityModel: TemporalSeries<PolicySeries.CertValidityModelSeries>? = nil,
                maxAvailableCertSupply: TemporalSeries<PolicySeries.MaxAvailableCertSupply>? = nil,
                maxCertRequestAge: TemporalSeries<PolicySeries.MaxCertRequestAge>? = nil,
                shuffleThreshold: TemporalSeries<PolicySeries.ShuffleThreshold>? = nil,
                hashOfRequestSize: TemporalSeries<PolicySeries.HashOfRequestSize>? = nil,
                maxGpfGccfRetrievalInterval: TemporalSeries<PolicySeries.MaxGpfGccfRetrievalInterval>? = nil,
                rseApplicationCertValidity: TemporalSeries<PolicySeries.RseApplicationCertValidity>? = nil,
                rseApplicationCertOverlap: TemporalSeries<PolicySeries.RseApplicationCertOverlap>? = nil,
                electorQuorum: TemporalSeries<PolicySeries.ElectorQuorum>? = nil,
                unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.scmsVersion = scmsVersion
        self.certChainFileID = certChainFileID
        self.overdueCrlTolerance = overdueCrlTolerance
        self.iPeriod = iPeriod
        self.minCertsPerIPeriod = minCertsPerIPeriod
        self.certValidityModel = certValidityModel
        self.maxAvailableCertSupply = maxAvailableCertSupply
        self.maxCertRequestAge = maxCertRequestAge
        self.shuffleThreshold = shuffleThreshold
        self.hashOfRequestSize = hashOfRequestSize
        self.maxGpfGccfRetrievalInterval = maxGpfGccfRetrievalInterval
        self.rseApplicationCertValidity = rseApplicationCertValidity
        self.rseApplicationCertOverlap = rseApplicationCertOverlap
        self.electorQuorum = electorQuorum
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 13)
        scmsVersion = try reader.decodeSeries("temporalSeriesOfScmsVersion", if: p[1])
        certChainFileID = try reader.decodeSeries("temporalSeriesOfCertChainFileID", if: p[2])
        overdueCrlTolerance = try reader.decodeSeries("temporalSeriesOfOverdueCrlTolerance", if: p[3])
        iPeriod = try reader.decodeSeries("temporalSeriesOfIPeriod", if: p[4])
        minCertsPerIPeriod = try reader.decodeSeries("temporalSeriesOfMinCertsPerIPeriod", if: p[5])
        certValidityModel = try reader.decodeSeries("temporalSeriesOfCertValidityModel", if: p[6])
        maxAvailableCertSupply = try reader.decodeSeries("temporalSeriesOfMaxAvailableCertSupply", if: p[7])
        maxCertRequestAge = try reader.decodeSeries("temporalSeriesOfMaxCertRequestAge", if: p[8])
        shuffleThreshold = try reader.decodeSeries("temporalSeriesOfShuffleThreshold", if: p[9])
        hashOfRequestSize = try reader.decodeSeries("temporalSeriesOfHashOfRequestSize", if: p[10])
        maxGpfGccfRetrievalInterval = try reader.decodeSeries("temporalSeriesOfMaxGpfGccfRetrievalInterval", if: p[11])
        rseApplicationCertValidity = try reader.decodeSeries("temporalSeriesOfRseApplicationCertValidity", if: p[12])
        rseApplicationCertOverlap = try reader.decodeSeries("temporalSeriesOfRseApplicationCertOVerlap", if: p[13])
        var quorum: TemporalSeries<PolicySeries.ElectorQuorum>?
        unknownExtensionAdditions = []
        if p[0] {
            unknownExtensionAdditions = try reader.readExtensionAdditions(knownCount: 1) { _, r throws(COERError) in
                quorum = try r.decode("temporalSeriesOfElectorQuorum")
            }
        }
        electorQuorum = quorum
    }

    public func encode(to writer: inout COERWriter) {
        let known: [[UInt8]?] = [electorQuorum?.coerEncoded]
        let ext = COERWriter.hasExtensions(known: known, unknown: unknownExtensionAdditions)
        writer.writePreamble([ext, scmsVersion.isPresent, certChainFileID.isPresent, overdueCrlTolerance.isPresent,
                              iPeriod.isPresent, minCertsPerIPeriod.isPresent, certValidityModel.isPresent,
                              maxAvailableCertSupply.isPresent, maxCertRequestAge.isPresent, shuffleThreshold.isPresent,
                              hashOfRequestSize.isPresent, maxGpfGccfRetrievalInterval.isPresent,
                              rseApplicationCertValidity.isPresent, rseApplicationCertOverlap.isPresent])
        if let scmsVersion { scmsVersion.encode(to: &writer) }
        if let certChainFileID { certChainFileID.encode(to: &writer) }
        if let overdueCrlTolerance { overdueCrlTolerance.encode(to: &writer) }
        if let iPeriod { iPeriod.encode(to: &writer) }
        if let minCertsPerIPeriod { minCertsPerIPeriod.encode(to: &writer) }
        if let certValidityModel { certValidityModel.encode(to: &writer) }
        if let maxAvailableCertSupply { maxAvailableCertSupply.encode(to: &writer) }
        if let maxCertRequestAge { maxCertRequestAge.encode(to: &writer) }
        if let shuffleThreshold { shuffleThreshold.encode(to: &writer) }
        if let hashOfRequestSize { hashOfRequestSize.encode(to: &writer) }
        if let maxGpfGccfRetrievalInterval { maxGpfGccfRetrievalInterval.encode(to: &writer) }
        if let rseApplicationCertValidity { rseApplicationCertValidity.encode(to: &writer) }
        if let rseApplicationCertOverlap { rseApplicationCertOverlap.encode(to: &writer) }
        if ext { writer.writeExtensionAdditions(known: known, unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        var m: [(String, JSONValue)] = []
        appendJSON(&m, "temporalSeriesOfScmsVersion", scmsVersion, options)
        appendJSON(&m, "temporalSeriesOfCertChainFileID", certChainFileID, options)
        appendJSON(&m, "temporalSeriesOfOverdueCrlTolerance", overdueCrlTolerance, options)
        appendJSON(&m, "temporalSeriesOfIPeriod", iPeriod, options)
        appendJSON(&m, "temporalSeriesOfMinCertsPerIPeriod", minCertsPerIPeriod, options)
        appendJSON(&m, "temporalSeriesOfCertValidityModel", certValidityModel, options)
        appendJSON(&m, "temporalSeriesOfMaxAvailableCertSupply", maxAvailableCertSupply, options)
        appendJSON(&m, "temporalSeriesOfMaxCertRequestAge", maxCertRequestAge, options)
        appendJSON(&m, "temporalSeriesOfShuffleThreshold", shuffleThreshold, options)
        appendJSON(&m, "temporalSeriesOfHashOfRequestSize", hashOfRequestSize, options)
        appendJSON(&m, "temporalSeriesOfMaxGpfGccfRetrievalInterval", maxGpfGccfRetrievalInterval, options)
        appendJSON(&m, "temporalSeriesOfRseApplicationCertValidity", rseApplicationCertValidity, options)
        appendJSON(&m, "temporalSeriesOfRseApplicationCertOVerlap", rseApplicationCertOverlap, options)
        appendJSON(&m, "temporalSeriesOfElectorQuorum", electorQuorum, options)
        m += JSONValue.additions(unknownExtensionAdditions)
        return .object(m)
    }
}

// MARK: - LocalPolicyData, CustomPolicyData, Policy

/// `LocalPolicyData ::= SEQUENCE { temporalSeriesOfShuffleThreshold, …OfCertsPerIPeriod, …OfLaOneHost,
/// …OfLaTwoHost, …OfPcaHost, …OfRaX509TlsCert, …OfLaX509TlsCert, …OfPcaX509TlsCert,
/// …OfSharedKeyUpdateInterval (all OPTIONAL), ... }`.
public struct LocalPolicyData: COERCodable, JSONRepresentable {
    public var shuffleThreshold: TemporalSeries<PolicySeries.LocalShuffleThreshold>?
    public var certsPerIPeriod: TemporalSeries<PolicySeries.CertsPerIPeriod>?
    public var laOneHost: TemporalSeries<PolicySeries.LaOneHost>?
    public var laTwoHost: TemporalSeries<PolicySeries.LaTwoHost>?
    public var pcaHost: TemporalSeries<PolicySeries.PcaHost>?
    public var raX509TlsCert: TemporalSeries<PolicySeries.RaX509TlsCert>?
    public var laX509TlsCert: TemporalSeries<PolicySeries.LaX509TlsCert>?
    public var pcaX509TlsCert: TemporalSeries<PolicySeries.PcaX509TlsCert>?
    public var sharedKeyUpdateInterval: TemporalSeries<PolicySeries.SharedKeyUpdateInterval>?
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(shuffleThreshold: TemporalSeries<PolicySeries.LocalShuffleThreshold>? = nil,
                certsPerIPeriod: TemporalSeries<PolicySeries.CertsPerIPeriod>? = nil,
                laOneHost: TemporalSeries<PolicySeries.LaOneHost>? = nil,
                laTwoHost: TemporalSeries<PolicySeries.LaTwoHost>? = nil,
                pcaHost: TemporalSeries<PolicySeries.PcaHost>? = nil,
                raX509TlsCert: TemporalSeries<PolicySeries.RaX509TlsCert>? = nil,
                laX509TlsCert: TemporalSeries<PolicySeries.LaX509TlsCert>? = nil,
                pcaX509TlsCert: TemporalSeries<PolicySeries.PcaX509TlsCert>? = nil,
                sharedKeyUpdateInterval: TemporalSeries<PolicySeries.SharedKeyUpdateInterval>? = nil,
                unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.shuffleThreshold = shuffleThreshold
        self.certsPerIPeriod = certsPerIPeriod
        self.laOneHost = laOneHost
        self.laTwoHost = laTwoHost
        self.pcaHost = pcaHost
        self.raX509TlsCert = raX509TlsCert
        self.laX509TlsCert = laX509TlsCert
        self.pcaX509TlsCert = pcaX509TlsCert
        self.sharedKeyUpdateInterval = sharedKeyUpdateInterval
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 9)
        shuffleThreshold = try reader.decodeSeries("temporalSeriesOfShuffleThreshold", if: p[1])
        certsPerIPeriod = try reader.decodeSeries("temporalSeriesOfCertsPerIPeriod", if: p[2])
        laOneHost = try reader.decodeSeries("temporalSeriesOfLaOneHost", if: p[3])
        laTwoHost = try reader.decodeSeries("temporalSeriesOfLaTwoHost", if: p[4])
        pcaHost = try reader.decodeSeries("temporalSeriesOfPcaHost", if: p[5])
        raX509TlsCert = try reader.decodeSeries("temporalSeriesOfRaX509TlsCert", if: p[6])
        laX509TlsCert = try reader.decodeSeries("temporalSeriesOfLaX509TlsCert", if: p[7])
        pcaX509TlsCert = try reader.decodeSeries("temporalSeriesOfPcaX509TlsCert", if: p[8])
        sharedKeyUpdateInterval = try reader.decodeSeries("temporalSeriesOfSharedKeyUpdateInterval", if: p[9])
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble([!unknownExtensionAdditions.isEmpty, shuffleThreshold.isPresent, certsPerIPeriod.isPresent,
                              laOneHost.isPresent, laTwoHost.isPresent, pcaHost.isPresent, raX509TlsCert.isPresent,
                              laX509TlsCert.isPresent, pcaX509TlsCert.isPresent, sharedKeyUpdateInterval.isPresent])
        if let shuffleThreshold { shuffleThreshold.encode(to: &writer) }
        if let certsPerIPeriod { certsPerIPeriod.encode(to: &writer) }
        if let laOneHost { laOneHost.encode(to: &writer) }
        if let laTwoHost { laTwoHost.encode(to: &writer) }
        if let pcaHost { pcaHost.encode(to: &writer) }
        if let raX509TlsCert { raX509TlsCert.encode(to: &writer) }
        if let laX509TlsCert { laX509TlsCert.encode(to: &writer) }
        if let pcaX509TlsCert { pcaX509TlsCert.encode(to: &writer) }
        if let sharedKeyUpdateInterval { sharedKeyUpdateInterval.encode(to: &writer) }
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        var m: [(String, JSONValue)] = []
        appendJSON(&m, "temporalSeriesOfShuffleThreshold", shuffleThreshold, options)
        appendJSON(&m, "temporalSeriesOfCertsPerIPeriod", certsPerIPeriod, options)
        appendJSON(&m, "temporalSeriesOfLaOneHost", laOneHost, options)
        appendJSON(&m, "temporalSeriesOfLaTwoHost", laTwoHost, options)
        appendJSON(&m, "temporalSeriesOfPcaHost", pcaHost, options)
        appendJSON(&m, "temporalSeriesOfRaX509TlsCert", raX509TlsCert, options)
        appendJSON(&m, "temporalSeriesOfLaX509TlsCert", laX509TlsCert, options)
        appendJSON(&m, "temporalSeriesOfPcaX509TlsCert", pcaX509TlsCert, options)
        appendJSON(&m, "temporalSeriesOfSharedKeyUpdateInterval", sharedKeyUpdateInterval, options)
        m += JSONValue.additions(unknownExtensionAdditions)
        return .object(m)
    }
}

/// `CustomPolicyData ::= SEQUENCE { requestingRaHostname RaHostnameId OPTIONAL, globalPolicy GlobalPolicyData, ... }`.
public struct CustomPolicyData: COERCodable, JSONRepresentable {
    public var requestingRaHostname: Hostname?
    public var globalPolicy: GlobalPolicyData
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(requestingRaHostname: Hostname? = nil, globalPolicy: GlobalPolicyData,
                unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.requestingRaHostname = requestingRaHostname
        self.globalPolicy = globalPolicy
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 1)
        requestingRaHostname = try reader.decode("requestingRaHostname", if: p[1])
        globalPolicy = try reader.decode("globalPolicy")
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty, requestingRaHostname.isPresent)
        if let requestingRaHostname { requestingRaHostname.encode(to: &writer) }
        globalPolicy.encode(to: &writer)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        var m: [(String, JSONValue)] = []
        if let requestingRaHostname { m.append(("requestingRaHostname", requestingRaHostname.jsonValue(options))) }
        m.append(("globalPolicy", globalPolicy.jsonValue(options)))
        return .object(m + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `Policy ::= CHOICE { global GlobalPolicyData, custom CustomPolicyData, local LocalPolicyData, ... }`.
public enum Policy: COERCodable, JSONRepresentable {
    case global(GlobalPolicyData)
    case custom(CustomPolicyData)
    case local(LocalPolicyData)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .global(try reader.decode("global"))
        case 1: self = .custom(try reader.decode("custom"))
        case 2: self = .local(try reader.decode("local"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .global(let g): writer.writeChoiceTag(0); g.encode(to: &writer)
        case .custom(let c): writer.writeChoiceTag(1); c.encode(to: &writer)
        case .local(let l): writer.writeChoiceTag(2); l.encode(to: &writer)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .global(let g): return .choice("global", g.jsonValue(options))
        case .custom(let c): return .choice("custom", c.jsonValue(options))
        case .local(let l): return .choice("local", l.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

// MARK: - Policy files

/// `ToBeSignedPolicyData ::= SEQUENCE { policyID OCTET STRING (SIZE(0..32)), generationTime Time64,
/// activeTime Time64, policy Policy, ... }`.
public struct ToBeSignedPolicyData: COERCodable, JSONRepresentable {
    public var policyID: [UInt8]
    public var generationTime: Time64
    public var activeTime: Time64
    public var policy: Policy
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(policyID: [UInt8], generationTime: Time64, activeTime: Time64, policy: Policy,
                unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.policyID = policyID
        self.generationTime = generationTime
        self.activeTime = activeTime
        self.policy = policy
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        policyID = try reader.decodeOctetString("policyID", size: 0...32)
        generationTime = try reader.decode("generationTime")
        activeTime = try reader.decode("activeTime")
        policy = try reader.decode("policy")
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty)
        writer.writeOctetString(policyID)
        generationTime.encode(to: &writer)
        activeTime.encode(to: &writer)
        policy.encode(to: &writer)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("policyID", .hex(policyID)), ("generationTime", generationTime.jsonValue(options)),
                 ("activeTime", activeTime.jsonValue(options)), ("policy", policy.jsonValue(options))]
                + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `BasePolicyFile ::= SEQUENCE { version Uint8(1), tbsData ToBeSignedPolicyData,
/// signatures SEQUENCE SIZE(1..MAX) OF Countersignature, ... }`.
public struct BasePolicyFile: COERCodable, JSONRepresentable {
    public var version: UInt8
    public var tbsData: ToBeSignedPolicyData
    public var signatures: [Countersignature]
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(version: UInt8 = 1, tbsData: ToBeSignedPolicyData, signatures: [Countersignature],
                unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.version = version
        self.tbsData = tbsData
        self.signatures = signatures
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        version = try reader.decode("version")
        tbsData = try reader.decode("tbsData")
        signatures = try reader.decodeSequenceOf("signatures", Ieee1609Dot2Data.self, size: 1...Int.max, minElementSize: 3)
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty)
        writer.writeUInt8(version)
        tbsData.encode(to: &writer)
        writer.writeSequenceOf(signatures)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("version", .int(Int64(version))), ("tbsData", tbsData.jsonValue(options)),
                 ("signatures", signatures.json(options))] + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `GlobalPolicyFile ::= BasePolicyFile (… policy global PRESENT …)` — same encoding.
public typealias GlobalPolicyFile = BasePolicyFile

/// `LocalPolicyFile ::= SEQUENCE { globalParameters BasePolicyFile, localParamters BasePolicyFile }`
/// (the ASN.1 spells the second component `localParamters`; JSON and error paths keep that spelling).
public struct LocalPolicyFile: COERCodable, JSONRepresentable {
    public var globalParameters: BasePolicyFile
    public var localParameters: BasePolicyFile

    public init(globalParameters: BasePolicyFile, localParameters: BasePolicyFile) {
        self.globalParameters = globalParameters
        self.localParameters = localParameters
    }

    public init(from reader: inout COERReader) throws(COERError) {
        globalParameters = try reader.decode("globalParameters")
        localParameters = try reader.decode("localParamters")
    }

    public func encode(to writer: inout COERWriter) {
        globalParameters.encode(to: &writer)
        localParameters.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("globalParameters", globalParameters.jsonValue(options)),
                 ("localParamters", localParameters.jsonValue(options))])
    }
}

/// `PolicyFiles ::= CHOICE { globalPolicyFile GlobalPolicyFile, localPolicyFile LocalPolicyFile, ... }`.
public enum PolicyFiles: COERCodable, JSONRepresentable {
    case globalPolicyFile(GlobalPolicyFile)
    case localPolicyFile(LocalPolicyFile)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .globalPolicyFile(try reader.decode("globalPolicyFile"))
        case 1: self = .localPolicyFile(try reader.decode("localPolicyFile"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .globalPolicyFile(let g): writer.writeChoiceTag(0); g.encode(to: &writer)
        case .localPolicyFile(let l): writer.writeChoiceTag(1); l.encode(to: &writer)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .globalPolicyFile(let g): return .choice("globalPolicyFile", g.jsonValue(options))
        case .localPolicyFile(let l): return .choice("localPolicyFile", l.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

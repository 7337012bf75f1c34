import BallotCodec

/// SplitMix64: a small seeded generator so property tests are reproducible.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Random values of every codec type (canonical by construction: unknown alternatives use tags past
/// the known ones, unknown additions indices past the known ones).
struct Gen {
    var rng: SeededRNG
    init(seed: UInt64) { rng = SeededRNG(seed: seed) }

    mutating func bool() -> Bool { Bool.random(using: &rng) }
    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    mutating func u8() -> UInt8 { UInt8.random(in: .min ... .max, using: &rng) }
    mutating func u16() -> UInt16 { UInt16.random(in: .min ... .max, using: &rng) }
    mutating func u32() -> UInt32 { UInt32.random(in: .min ... .max, using: &rng) }
    mutating func u64() -> UInt64 { UInt64.random(in: .min ... .max, using: &rng) }
    mutating func i32() -> Int32 { Int32.random(in: .min ... .max, using: &rng) }
    mutating func bytes(_ r: ClosedRange<Int>) -> [UInt8] { (0..<int(r)).map { _ in u8() } }
    mutating func maybe<T>(_ make: (inout Gen) -> T) -> T? { bool() ? make(&self) : nil }
    mutating func list<T>(_ r: ClosedRange<Int>, _ make: (inout Gen) -> T) -> [T] {
        (0..<int(r)).map { _ in make(&self) }
    }

    mutating func fixed<T: FixedOctetString>(_ type: T.Type = T.self) -> T { T(uncheckedBytes: bytes(T.octetCount...T.octetCount)) }

    /// A widely varying unsigned value (small, medium or full width).
    mutating func varU64() -> UInt64 {
        switch int(0...3) {
        case 0: return UInt64(u8())
        case 1: return UInt64(u16())
        case 2: return UInt64(u32())
        default: return u64()
        }
    }

    mutating func varI64() -> Int64 {
        let v = Int64(bitPattern: varU64())
        return bool() ? v : (v >> Int64(int(0...63)))
    }

    mutating func unknownAdditions(known: Int) -> [COERUnknownAddition] {
        guard int(0...4) == 0 else { return [] }
        var index = known
        return list(1...3) { g in
            index += g.int(0...9)
            defer { index += 1 }
            return COERUnknownAddition(index: index, encoding: g.bytes(0...6))
        }
    }

    mutating func unknownTag(from first: UInt) -> UInt { first + UInt(int(0...70)) }

    mutating func hostname() -> Hostname {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789.-é✓")
        return Hostname(String((0..<int(0...40)).map { _ in alphabet[int(0...(alphabet.count - 1))] }))
    }

    mutating func time32() -> Time32 { Time32(u32()) }
    mutating func time64() -> Time64 { Time64(varU64()) }

    mutating func duration() -> Duration {
        let v = u16()
        switch int(0...6) {
        case 0: return .microseconds(v)
        case 1: return .milliseconds(v)
        case 2: return .seconds(v)
        case 3: return .minutes(v)
        case 4: return .hours(v)
        case 5: return .sixtyHours(v)
        default: return .years(v)
        }
    }

    mutating func twoD() -> TwoDLocation { TwoDLocation(latitude: i32(), longitude: i32()) }

    mutating func region() -> GeographicRegion {
        switch int(0...4) {
        case 0: return .circularRegion(CircularRegion(center: twoD(), radius: u16()))
        case 1: return .rectangularRegion(list(0...3) { g in RectangularRegion(northWest: g.twoD(), southEast: g.twoD()) })
        case 2: return .polygonalRegion(list(3...6) { $0.twoD() })
        case 3:
            return .identifiedRegion(list(0...3) { g in
                switch g.int(0...3) {
                case 0: return .countryOnly(g.u16())
                case 1: return .countryAndRegions(CountryAndRegions(countryOnly: g.u16(), regions: g.list(0...4) { $0.u8() }))
                case 2:
                    return .countryAndSubregions(CountryAndSubregions(country: g.u16(), regionAndSubregions: g.list(0...3) { h in
                        RegionAndSubregions(region: h.u8(), subregions: h.list(0...3) { $0.u16() })
                    }))
                default: return .unknownExtension(tag: g.unknownTag(from: 3), encoding: g.bytes(0...5))
                }
            })
        default: return .unknownExtension(tag: unknownTag(from: 4), encoding: bytes(0...5))
        }
    }

    mutating func point<C: FixedOctetString>(_ type: C.Type = C.self) -> EccCurvePoint<C> {
        switch int(0...4) {
        case 0: return .xOnly(fixed())
        case 1: return .fill
        case 2: return .compressedY0(fixed())
        case 3: return .compressedY1(fixed())
        default: return .uncompressed(x: fixed(), y: fixed())
        }
    }

    mutating func signature() -> Signature {
        switch int(0...4) {
        case 0: return .ecdsaNistP256Signature(EcdsaP256Signature(rSig: point(), sSig: fixed()))
        case 1: return .ecdsaBrainpoolP256r1Signature(EcdsaP256Signature(rSig: point(), sSig: fixed()))
        case 2: return .ecdsaBrainpoolP384r1Signature(EcdsaP384Signature(rSig: point(), sSig: fixed()))
        case 3: return .ecdsaNistP384Signature(EcdsaP384Signature(rSig: point(), sSig: fixed()))
        default: return .unknownExtension(tag: unknownTag(from: 4), encoding: bytes(0...8))
        }
    }

    mutating func hashAlgorithm() -> HashAlgorithm {
        switch int(0...2) {
        case 0: return .sha256
        case 1: return .sha384
        default: return .unknown(bool() ? int(2...100_000) : -int(1...100_000))
        }
    }

    mutating func verificationKey() -> PublicVerificationKey {
        switch int(0...4) {
        case 0: return .ecdsaNistP256(point())
        case 1: return .ecdsaBrainpoolP256r1(point())
        case 2: return .ecdsaBrainpoolP384r1(point())
        case 3: return .ecdsaNistP384(point())
        default: return .unknownExtension(tag: unknownTag(from: 4), encoding: bytes(0...8))
        }
    }

    mutating func publicEncryptionKey() -> PublicEncryptionKey {
        let alg: SymmAlgorithm = bool() ? .aes128Ccm : .unknown(int(1...300))
        let key: BasePublicEncryptionKey
        switch int(0...2) {
        case 0: key = .eciesNistP256(point())
        case 1: key = .eciesBrainpoolP256r1(point())
        default: key = .unknownExtension(tag: unknownTag(from: 2), encoding: bytes(0...4))
        }
        return PublicEncryptionKey(supportedSymmAlg: alg, publicKey: key)
    }

    mutating func ssp() -> ServiceSpecificPermissions {
        switch int(0...2) {
        case 0: return .opaque(bytes(0...8))
        case 1: return .bitmapSsp(bytes(0...31))
        default: return .unknownExtension(tag: unknownTag(from: 2), encoding: bytes(0...4))
        }
    }

    mutating func psidGroupPermissions() -> PsidGroupPermissions {
        let subject: SubjectPermissions
        switch int(0...2) {
        case 0:
            subject = .explicit(list(0...3) { g in
                let range: SspRange?
                switch g.int(0...4) {
                case 0: range = .opaque(g.list(0...3) { $0.bytes(0...4) })
                case 1: range = .all
                case 2: range = .bitmapSspRange(BitmapSspRange(sspValue: g.bytes(1...32), sspBitmask: g.bytes(1...32)))
                case 3: range = .unknownExtension(tag: g.unknownTag(from: 3), encoding: g.bytes(0...3))
                default: range = nil
                }
                return PsidSspRange(psid: Psid(g.varU64()), sspRange: range)
            })
        case 1: subject = .all
        default: subject = .unknownExtension(tag: unknownTag(from: 2), encoding: bytes(0...4))
        }
        return PsidGroupPermissions(subjectPermissions: subject,
                                    minChainLength: bool() ? 1 : varI64(), chainLengthRange: bool() ? 0 : varI64(),
                                    eeType: bool() ? .app : EndEntityType(rawValue: u8()))
    }

    mutating func certificate(depth: Int = 0) -> Certificate {
        let id: CertificateId
        switch int(0...4) {
        case 0:
            id = .linkageData(LinkageData(iCert: u16(), linkageValue: fixed(),
                                          groupLinkageValue: maybe { GroupLinkageValue(jValue: $0.fixed(), value: $0.fixed()) }))
        case 1: id = .name(hostname())
        case 2: id = .binaryId(bytes(1...64))
        case 3: id = .none
        default: id = .unknownExtension(tag: unknownTag(from: 4), encoding: bytes(0...6))
        }
        let indicator: VerificationKeyIndicator
        switch int(0...2) {
        case 0: indicator = .verificationKey(verificationKey())
        case 1: indicator = .reconstructionValue(point())
        default: indicator = .unknownExtension(tag: unknownTag(from: 2), encoding: bytes(0...4))
        }
        let tbs = ToBeSignedCertificate(
            id: id, cracaId: fixed(), crlSeries: u16(),
            validityPeriod: ValidityPeriod(start: time32(), duration: duration()),
            region: maybe { $0.region() }, assuranceLevel: maybe { $0.fixed() },
            appPermissions: maybe { g in g.list(0...3) { PsidSsp(psid: Psid($0.varU64()), ssp: $0.maybe { $0.ssp() }) } },
            certIssuePermissions: maybe { g in g.list(0...2) { $0.psidGroupPermissions() } },
            certRequestPermissions: maybe { g in g.list(0...2) { $0.psidGroupPermissions() } },
            canRequestRollover: bool(), encryptionKey: maybe { $0.publicEncryptionKey() },
            verifyKeyIndicator: indicator, unknownExtensionAdditions: unknownAdditions(known: 0))
        let issuer: IssuerIdentifier
        switch int(0...3) {
        case 0: issuer = .sha256AndDigest(fixed())
        case 1: issuer = .self(hashAlgorithm())
        case 2: issuer = .sha384AndDigest(fixed())
        default: issuer = .unknownExtension(tag: unknownTag(from: 3), encoding: bytes(0...4))
        }
        let type: CertificateType = [CertificateType.explicit, .implicit, .unknown(int(2...127))][int(0...2)]
        return Certificate(version: bool() ? 3 : u8(), type: type, issuer: issuer, toBeSigned: tbs,
                           signature: maybe { $0.signature() })
    }

    mutating func symmetricCiphertext() -> SymmetricCiphertext {
        bool() ? .aes128ccm(AesCcmCiphertext(nonce: fixed(), ccmCiphertext: bytes(0...20)))
            : .unknownExtension(tag: unknownTag(from: 1), encoding: bytes(0...4))
    }

    mutating func encryptedData() -> EncryptedData {
        EncryptedData(recipients: list(0...3) { g in
            func pk(_ g: inout Gen) -> PKRecipientInfo {
                let key: EncryptedDataEncryptionKey
                switch g.int(0...2) {
                case 0: key = .eciesNistP256(EciesP256EncryptedKey(v: g.point(), c: g.fixed(), t: g.fixed()))
                case 1: key = .eciesBrainpoolP256r1(EciesP256EncryptedKey(v: g.point(), c: g.fixed(), t: g.fixed()))
                default: key = .unknownExtension(tag: g.unknownTag(from: 2), encoding: g.bytes(0...4))
                }
                return PKRecipientInfo(recipientId: g.fixed(), encKey: key)
            }
            switch g.int(0...4) {
            case 0: return .pskRecipInfo(g.fixed())
            case 1: return .symmRecipInfo(SymmRecipientInfo(recipientId: g.fixed(), encKey: g.symmetricCiphertext()))
            case 2: return .certRecipInfo(pk(&g))
            case 3: return .signedDataRecipInfo(pk(&g))
            default: return .rekRecipInfo(pk(&g))
            }
        }, ciphertext: symmetricCiphertext())
    }

    mutating func headerInfo(depth: Int) -> HeaderInfo {
        let key: EncryptionKey? = maybe { g in
            g.bool() ? .public(g.publicEncryptionKey())
                : .symmetric(g.bool() ? .aes128Ccm(g.fixed()) : .unknownExtension(tag: g.unknownTag(from: 1), encoding: g.bytes(0...3)))
        }
        return HeaderInfo(
            psid: Psid(varU64()), generationTime: maybe { $0.time64() }, expiryTime: maybe { $0.time64() },
            generationLocation: maybe { ThreeDLocation(latitude: $0.i32(), longitude: $0.i32(), elevation: $0.u16()) },
            p2pcdLearningRequest: maybe { $0.fixed() },
            missingCrlIdentifier: maybe { MissingCrlIdentifier(cracaId: $0.fixed(), crlSeries: $0.u16(),
                                                               unknownExtensionAdditions: $0.unknownAdditions(known: 0)) },
            encryptionKey: key, inlineP2pcdRequest: maybe { g in g.list(0...3) { $0.fixed() } },
            requestedCertificate: depth < 2 ? maybe { $0.certificate() } : nil,
            unknownExtensionAdditions: unknownAdditions(known: 2))
    }

    mutating func ieee1609Dot2Data(depth: Int = 0) -> Ieee1609Dot2Data {
        let content: Ieee1609Dot2Content
        switch depth >= 2 ? int(0...1) * 3 : int(0...4) {
        case 0: content = .unsecuredData(bytes(0...20))
        case 1:
            let payload = SignedDataPayload(
                data: maybe { $0.ieee1609Dot2Data(depth: depth + 1) },
                extDataHash: maybe { g in g.bool() ? .sha256HashedData(g.fixed()) : .unknownExtension(tag: g.unknownTag(from: 1), encoding: g.bytes(0...4)) },
                unknownExtensionAdditions: unknownAdditions(known: 0))
            let signer: SignerIdentifier
            switch int(0...3) {
            case 0: signer = .digest(fixed())
            case 1: signer = .certificate(list(0...2) { $0.certificate() })
            case 2: signer = .self
            default: signer = .unknownExtension(tag: unknownTag(from: 3), encoding: bytes(0...4))
            }
            content = .signedData(SignedData(hashId: hashAlgorithm(),
                                             tbsData: ToBeSignedData(payload: payload, headerInfo: headerInfo(depth: depth)),
                                             signer: signer, signature: signature()))
        case 2: content = .encryptedData(encryptedData())
        case 3: content = .signedCertificateRequest(bytes(0...20))
        default: content = .unknownExtension(tag: unknownTag(from: 4), encoding: bytes(0...10))
        }
        return Ieee1609Dot2Data(protocolVersion: bool() ? 3 : u8(), content: content)
    }

    mutating func endorsementType() -> EndorsementType {
        [EndorsementType.addRoot, .addElector, .removeRoot, .removeElector, .unknown(int(4...500))][int(0...4)]
    }

    mutating func tbsElectorEndorsement() -> TbsElectorEndorsement {
        TbsElectorEndorsement(type: endorsementType(), certificateHash: fixed(), generationTime: time32(),
                              unknownExtensionAdditions: unknownAdditions(known: 0))
    }

    /// A realistic SignedElectorEndorsement around a random TBS.
    mutating func signedEndorsement() -> Ieee1609Dot2Data {
        let scoped = ScmsPDU.scopedEndorsement(tbsElectorEndorsement())
        let payload = SignedDataPayload(data: Ieee1609Dot2Data(content: .unsecuredData(scoped.coerEncoded)))
        let header = HeaderInfo(psid: .securityManagement, generationTime: time64())
        let signer: SignerIdentifier = bool() ? .digest(fixed()) : .certificate([certificate()])
        return Ieee1609Dot2Data(content: .signedData(SignedData(
            hashId: .sha256, tbsData: ToBeSignedData(payload: payload, headerInfo: header), signer: signer,
            signature: .ecdsaNistP256Signature(EcdsaP256Signature(rSig: .xOnly(fixed()), sSig: fixed())))))
    }

    mutating func electorBallot() -> ElectorBallot {
        ElectorBallot(certificate: certificate(), endorsements: list(1...3) { g in
            g.bool() ? g.signedEndorsement() : g.ieee1609Dot2Data(depth: 1)
        }, unknownExtensionAdditions: unknownAdditions(known: 0))
    }

    mutating func scmsPDU() -> ScmsPDU {
        let content: ScmsPDU.Content
        switch int(0...2) {
        case 0: content = .ccm(.tbsElectorEndorsement(tbsElectorEndorsement()))
        case 1: content = .ccm(.electorBallot(electorBallot()))
        default: content = bool() ? .ccm(.unknownExtension(tag: unknownTag(from: 2), encoding: bytes(0...5)))
            : .unknownExtension(tag: unknownTag(from: 11), encoding: bytes(0...5))
        }
        return ScmsPDU(version: bool() ? 1 : u8(), content: content)
    }

    mutating func certificateStore() -> CertificateStore {
        CertificateStore(rootCAEndorsements: list(0...1) { $0.electorBallot() },
                         electorEndorsements: list(0...2) { $0.electorBallot() }, maCertificate: certificate(),
                         certs: list(0...2) { $0.certificate() }, unknownExtensionAdditions: unknownAdditions(known: 0))
    }

    mutating func series<K: TemporalSeriesKind>(_ kind: K.Type = K.self, _ value: (inout Gen) -> K.Value) -> TemporalSeries<K>? {
        maybe { g in
            TemporalSeries<K>(initial: value(&g), intervals: g.list(0...3) { h in
                TemporalSeries<K>.Interval(startTime: h.time64(), value: value(&h))
            })
        }
    }

    mutating func globalPolicyData() -> GlobalPolicyData {
        GlobalPolicyData(
            scmsVersion: series { $0.bool() ? 1 : $0.u8() }, certChainFileID: series { $0.u16() },
            overdueCrlTolerance: series { $0.duration() }, iPeriod: series { $0.duration() },
            minCertsPerIPeriod: series { $0.bool() ? 20 : $0.u8() },
            certValidityModel: series { [CertValidityModel.concurrent, .nonConcurrent, .unknown($0.int(3...200))][$0.int(0...2)] },
            maxAvailableCertSupply: series { $0.duration() }, maxCertRequestAge: series { $0.duration() },
            shuffleThreshold: series { $0.bool() ? 1000 : $0.u32() }, hashOfRequestSize: series { $0.bool() ? 32 : $0.u8() },
            maxGpfGccfRetrievalInterval: series { $0.duration() }, rseApplicationCertValidity: series { $0.duration() },
            rseApplicationCertOverlap: series { $0.duration() }, electorQuorum: series { $0.u8() },
            unknownExtensionAdditions: unknownAdditions(known: 1))
    }

    mutating func localPolicyData() -> LocalPolicyData {
        LocalPolicyData(
            shuffleThreshold: series { $0.u32() }, certsPerIPeriod: series { $0.bool() ? 20 : $0.u8() },
            laOneHost: series { $0.hostname() }, laTwoHost: series { $0.hostname() }, pcaHost: series { $0.hostname() },
            raX509TlsCert: series { Opaque($0.bytes(0...10)) }, laX509TlsCert: series { Opaque($0.bytes(0...10)) },
            pcaX509TlsCert: series { Opaque($0.bytes(0...10)) }, sharedKeyUpdateInterval: series { $0.duration() },
            unknownExtensionAdditions: unknownAdditions(known: 0))
    }

    mutating func basePolicyFile() -> BasePolicyFile {
        let policy: Policy
        switch int(0...3) {
        case 0: policy = .global(globalPolicyData())
        case 1: policy = .custom(CustomPolicyData(requestingRaHostname: maybe { $0.hostname() }, globalPolicy: globalPolicyData(),
                                                  unknownExtensionAdditions: unknownAdditions(known: 0)))
        case 2: policy = .local(localPolicyData())
        default: policy = .unknownExtension(tag: unknownTag(from: 3), encoding: bytes(0...5))
        }
        return BasePolicyFile(version: 1, tbsData: ToBeSignedPolicyData(
            policyID: bytes(0...32), generationTime: time64(), activeTime: time64(), policy: policy,
            unknownExtensionAdditions: unknownAdditions(known: 0)),
            signatures: list(1...2) { $0.ieee1609Dot2Data(depth: 1) }, unknownExtensionAdditions: unknownAdditions(known: 0))
    }

    mutating func scmsFile() -> ScmsFile {
        let content: ScmsFile.Content
        switch int(0...5) {
        case 0: content = .certChain(.globalCertificateChainFile(GlobalCertificateChainFile(
            version: u16(), certStore: certificateStore(), unknownExtensionAdditions: unknownAdditions(known: 0))))
        case 1: content = .certChain(.localCertificateChainFile(LocalCertificateChainFile(
            version: CompositeVersion(gccfVersion: u16(), lccfVersion: u16(), raHostname: hostname()),
            requiredCertStore: certificateStore(), optionalCertList: list(0...2) { $0.certificate() },
            unknownExtensionAdditions: unknownAdditions(known: 0))))
        case 2: content = .policy(.globalPolicyFile(basePolicyFile()))
        case 3: content = .policy(.localPolicyFile(LocalPolicyFile(globalParameters: basePolicyFile(), localParameters: basePolicyFile())))
        case 4: content = bool() ? .certChain(.unknownExtension(tag: unknownTag(from: 2), encoding: bytes(0...4)))
            : .policy(.unknownExtension(tag: unknownTag(from: 2), encoding: bytes(0...4)))
        default: content = .unknownExtension(tag: unknownTag(from: 2), encoding: bytes(0...6))
        }
        return ScmsFile(version: bool() ? 1 : u8(), content: content)
    }

    mutating func compositeCrl() -> CompositeCrl {
        CompositeCrl(securedCrlSeries: list(0...2) { $0.ieee1609Dot2Data(depth: 1) },
                     revokedRootCAs: list(0...1) { $0.electorBallot() }, revokedElectors: list(0...1) { $0.electorBallot() },
                     unknownExtensionAdditions: unknownAdditions(known: 0))
    }

    mutating func scmsSsp() -> ScmsSsp {
        let v = VersionedSsp(version: u8(), unknownExtensionAdditions: unknownAdditions(known: 0))
        switch int(0...12) {
        case 0: return .elector(v)
        case 1: return .root(v)
        case 2: return .pg(v)
        case 3: return .ica(v)
        case 4: return .eca(v)
        case 5: return .pca(v)
        case 6: return .crl(v)
        case 7: return .dcm(v)
        case 8: return .la(LaSsp(version: u8(), laId: u16()))
        case 9: return .lop(v)
        case 10: return .ma(MaSsp(version: u8(), relevantPsids: list(0...3) { Psid($0.varU64()) }))
        case 11: return .ra(v)
        default: return .unknownExtension(tag: unknownTag(from: 12), encoding: bytes(0...3))
        }
    }
}

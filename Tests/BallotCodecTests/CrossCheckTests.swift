import BallotCodec
import Foundation
import Testing
import TestSupport

/// Independent check against Python asn1tools (OER codec) on the CAMP release/1.2.4 modules kept in
/// `Shared/BallotCodec/ASN1/`, with the project's quorum extension patched into `GlobalPolicyData`.
/// Skips cleanly when python3 or asn1tools is absent; the Swift tests stand on their own.
@Suite("asn1tools cross-check")
struct CrossCheckTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let asn1Directory = repoRoot.appendingPathComponent("Shared/BallotCodec/ASN1/camp-scms-poc-1.2.4")

    /// Reads "TypeName hex" lines on stdin; decodes each with asn1tools and re-encodes it; prints
    /// "OK", "MISMATCH <hex>" or "ERROR <message>" per line.
    static let script = #"""
    import glob, os, re, shutil, sys, tempfile
    try:
        import asn1tools
    except ImportError:
        print("SKIP asn1tools not installed"); sys.exit(0)
    src = sys.argv[1]
    tmp = tempfile.mkdtemp()
    files = []
    for path in sorted(glob.glob(os.path.join(src, "*.asn"))):
        text = open(path, "rb").read().decode("cp1252")
        text = text.replace("\r\n", "\n")
        text = re.sub(r"^(\s*)the the certificate hash id", r"\1-- the the certificate hash id", text, flags=re.M)
        if "Ieee1609dot2ScmsPolicyTypes" in os.path.basename(path):
            start = text.index("GlobalPolicyData ::= SEQUENCE {")
            m = re.compile(r"\n\s*\.\.\.\s*\n\}").search(text, start)
            end = m.end()
            block = text[start:end]
            i = block.rindex("...")
            block = block[:i] + """...,
        temporalSeriesOfElectorQuorum SEQUENCE {
            initialElectorQuorum Uint8,
            intervals SEQUENCE SIZE(0..MAX) OF SEQUENCE {
                startTime Time64,
                electorQuorum Uint8
            }
        } OPTIONAL""" + block[i + 3:]
            text = text[:start] + block + text[end:]
        out = os.path.join(tmp, os.path.basename(path))
        open(out, "w", encoding="utf-8").write(text)
        files.append(out)
    spec = asn1tools.compile_files(files, "oer")
    modules = {
        "Certificate": "IEEE1609dot2", "Ieee1609Dot2Data": "IEEE1609dot2",
        "ElectorBallot": "Ieee1609Dot2ScmsComponentCertificateManagement",
        "CompositeCrl": "Ieee1609Dot2ScmsComponentCertificateManagement",
        "ScmsPDU": "IEEE1609dot2ScmsProtocol", "ScmsFile": "IEEE1609dot2ScmsProtocol",
        "GlobalPolicyData": "Ieee1609dot2ScmsPolicyTypes",
    }
    for line in sys.stdin:
        name, data = line.split()
        try:
            t = spec.modules[modules[name]][name]
            value = t.decode(bytes.fromhex(data))
            again = t.encode(value).hex()
            print("OK" if again == data else "MISMATCH " + again)
        except Exception as e:
            print("ERROR " + repr(e).replace("\n", " "))
    shutil.rmtree(tmp)
    """#

    static func python() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("python3")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Whether a value uses only what the 2016 modules define (no unknown/2022 alternatives or additions),
    /// which is all asn1tools can re-encode.
    static func standardOnly<T: JSONRepresentable>(_ value: T) -> Bool {
        let text = value.jsonValue(JSONOptions(decodeContained: false)).serialized()
        return !text.contains("unknown") && !text.contains("ecdsaNistP384")
    }

    @Test("asn1tools decodes and re-encodes our encodings byte-identically")
    func crossCheck() throws {
        guard let python = Self.python() else { return }
        var lines: [String] = []
        func add<T: COERCodable & JSONRepresentable>(_ name: String, _ value: T) {
            if Self.standardOnly(value) { lines.append("\(name) \(HexCoding.encode(value.coerEncoded))") }
        }
        for (name, kind) in Vectors.all {
            let bytes = try Vectors.bytes(name)
            let type: String
            switch kind {
            case .certificate: type = "Certificate"
            case .ieee1609Dot2Data: type = "Ieee1609Dot2Data"
            case .scmsFile: type = "ScmsFile"
            case .electorBallot: type = "ElectorBallot"
            case .scmsPDU: type = "ScmsPDU"
            case .toBeSignedData: continue
            }
            lines.append("\(type) \(HexCoding.encode(bytes))")
        }
        var g = Gen(seed: 2024)
        var attempts = 0
        while lines.count < Vectors.all.count + 80 && attempts < 5000 {
            attempts += 1
            switch attempts % 6 {
            case 0: add("Certificate", g.certificate())
            case 1: add("Ieee1609Dot2Data", g.ieee1609Dot2Data())
            case 2: add("ElectorBallot", g.electorBallot())
            case 3: add("ScmsFile", g.scmsFile())
            case 4: add("GlobalPolicyData", g.globalPolicyData())
            default: add("CompositeCrl", g.compositeCrl())
            }
        }
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", Self.script, Self.asn1Directory.path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let results = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        if results.first?.hasPrefix("SKIP") == true { return }
        #expect(process.terminationStatus == 0)
        #expect(results.count == lines.count)
        #expect(lines.count > Vectors.all.count + 40, "too few standard-only random values")
        for (line, result) in zip(lines, results) where result != "OK" {
            Issue.record("asn1tools disagrees on \(line.prefix(200)): \(result.prefix(300))")
        }
    }
}

import Foundation
import ServiceKit
import Testing

/// deploy/kafka: the topic table, the broker configuration and create-topics.sh against Topics.swift.
@Suite
struct TopicSpecTests {
    /// One line of deploy/kafka/topics.txt.
    struct Row: Equatable, CustomStringConvertible {
        var name: String
        var partitions: Int32
        var replicationFactor: Int16
        var configs: [String]

        var description: String { "\(name) \(partitions) \(replicationFactor) \(configs.joined(separator: ","))" }

        init(name: String, partitions: Int32, replicationFactor: Int16, configs: [String]) {
            self.name = name
            self.partitions = partitions
            self.replicationFactor = replicationFactor
            self.configs = configs
        }

        /// The row the table must have for `spec`.
        init(_ spec: TopicSpec) {
            self.init(name: spec.name, partitions: spec.partitions, replicationFactor: spec.replicationFactor,
                      configs: spec.brokerConfigs.map { "\($0.0)=\($0.1)" })
        }

        var config: [String: String] {
            Dictionary(configs.compactMap { pair in
                pair.firstIndex(of: "=").map { (String(pair[..<$0]), String(pair[pair.index(after: $0)...])) }
            }, uniquingKeysWith: { $1 })
        }
    }

    static func rows(_ text: String) throws -> [Row] {
        try text.split(separator: "\n").compactMap { line -> Row? in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = fields.first, !first.hasPrefix("#") else { return nil }
            guard fields.count == 4, let partitions = Int32(fields[1]), let rf = Int16(fields[2]) else {
                throw DeployTestError("topics.txt: not 'name partitions replication configs': \(line)")
            }
            return Row(name: String(first), partitions: partitions, replicationFactor: rf,
                       configs: fields[3].split(separator: ",").map(String.init))
        }
    }

    /// `key=value` lines (Java properties without continuations).
    static func properties(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            out[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        return out
    }

    @Test("deploy/kafka/topics.txt has exactly the topics of Topics.swift, with their partitions, replication and configs")
    func topicTableMatchesCode() throws {
        let rows = try Self.rows(try Repository.text("deploy/kafka/topics.txt"))
        let expected = Topics.all.map(Row.init)
        #expect(rows == expected, "expected table:\n\(expected.map(\.description).joined(separator: "\n"))")
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
        // The compacted topics: the latest GPF and GCCF per key survive forever.
        for spec in [Topics.gccf, Topics.policy] {
            #expect(byName[spec.name]?.config["cleanup.policy"] == "compact", "\(spec.name)")
            #expect(byName[spec.name]?.config["retention.ms"] == "-1", "\(spec.name)")
        }
        for spec in Topics.all where spec != Topics.gccf && spec != Topics.policy {
            #expect(byName[spec.name]?.config["cleanup.policy"] == "delete", "\(spec.name)")
        }
    }

    @Test("scms.gccf's max.message.bytes is the code's GCCF record limit, and the assembler's largest file fits in it")
    func gccfRecordSize() throws {
        let rows = try Self.rows(try Repository.text("deploy/kafka/topics.txt"))
        let gccf = try #require(rows.first { $0.name == Topics.gccf.name })
        #expect(gccf.config["max.message.bytes"] == String(Topics.maxGCCFRecordBytes))
        let assembler = try #require(try ServiceSurface.all()["gccf-assembler"])
        let maxFile = try #require(assembler.option("max-gccf-bytes")?.defaultValue.flatMap { Int($0) })
        #expect(maxFile > 0 && maxFile < Topics.maxGCCFRecordBytes, "a GCCF of \(maxFile) bytes plus its record overhead")
    }

    /// Checks of one broker configuration (server.properties keys).
    static func checkBroker(_ config: [String: String], _ origin: String, replicated: Bool) {
        let maxReplication = Topics.all.map(\.replicationFactor).max() ?? 3
        #expect(config["process.roles"].map { Set($0.split(separator: ",").map(String.init)) } == ["broker", "controller"],
                "\(origin): KRaft, combined roles")
        #expect(config["controller.listener.names"] != nil, "\(origin)")
        #expect(config["auto.create.topics.enable"] == "false", "\(origin): topics only from create-topics.sh")
        #expect((config["replica.fetch.max.bytes"].flatMap { Int($0) } ?? 0) >= Topics.maxGCCFRecordBytes,
                "\(origin): replicas must fetch a whole GCCF record")
        if replicated {
            #expect(config["default.replication.factor"] == String(maxReplication), "\(origin)")
            #expect(config["min.insync.replicas"] == String(max(1, maxReplication - 1)), "\(origin)")
            #expect(config["offsets.topic.replication.factor"] == String(maxReplication), "\(origin)")
            #expect(config["unclean.leader.election.enable"] == "false", "\(origin)")
            let voters = config["controller.quorum.voters"]?.split(separator: ",") ?? []
            #expect(voters.count == Int(maxReplication), "\(origin): one controller per replica")
        }
    }

    @Test("the KRaft broker configurations (bare metal, Kubernetes, compose) suit the topics")
    func brokerConfigurations() throws {
        Self.checkBroker(Self.properties(try Repository.text("deploy/kafka/server.properties")), "server.properties",
                         replicated: true)
        let k8s = try YAML.documents("deploy/k8s/kafka.yaml")
        let configMap = try #require(k8s.first { $0.string("kind") == "ConfigMap" && $0.at("metadata.name") as? String == "kafka-config" })
        Self.checkBroker(Self.properties(try #require(configMap.map("data").string("server.properties"))),
                         "k8s kafka-config", replicated: true)
        let statefulSet = try #require(k8s.first { $0.string("kind") == "StatefulSet" })
        #expect(statefulSet.at("spec.replicas") as? Int == Int(Topics.all.map(\.replicationFactor).max() ?? 3))
        // compose: the apache/kafka image turns KAFKA_A_B into a.b.
        let compose = try #require(try YAML.documents("deploy/compose/compose.yaml").first)
        let environment = compose.map("services").map("kafka").map("environment")
        var converted: [String: String] = [:]
        for (key, value) in environment where key.hasPrefix("KAFKA_") {
            converted[key.dropFirst(6).lowercased().replacingOccurrences(of: "_", with: ".")] = "\(value)"
        }
        Self.checkBroker(converted, "compose kafka", replicated: false)
    }

    @Test("the Kubernetes topic Job carries verbatim copies of topics.txt and create-topics.sh")
    func kubernetesTopicCopies() throws {
        let documents = try YAML.documents("deploy/k8s/topics-job.yaml")
        let data = try #require(documents.first { $0.string("kind") == "ConfigMap" }).map("data")
        #expect(data.string("topics.txt") == (try Repository.text("deploy/kafka/topics.txt")))
        #expect(data.string("create-topics.sh") == (try Repository.text("deploy/kafka/create-topics.sh")))
        let job = try #require(documents.first { $0.string("kind") == "Job" })
        let container = try #require((job.at("spec.template.spec") as? [String: Any])?.maps("containers").first)
        #expect(container.list("command").compactMap { $0 as? String }.contains { $0.hasSuffix("create-topics.sh") })
    }

    /// Runs create-topics.sh with stand-ins for kafka-topics.sh / kafka-configs.sh that record their arguments and
    /// describe every topic with `partitionCount` partitions (nil: the partitions of the table).
    static func runCreateTopics(environment extra: [String: String], partitionCount: Int?) throws -> (ProcessOutput, [String]) {
        let directory = NSTemporaryDirectory() + "scms-create-topics-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = directory + "/calls.log"
        let describe = partitionCount.map { "echo \"Topic: x\tPartitionCount: \($0)\"" }
            ?? #"p=""; prev=""; for a in "$@"; do [ "$prev" = "--topic" ] && p="$a"; prev="$a"; done; n=$(awk -v t="${p#"$STUB_PREFIX"}" '$1==t {print $2}' "$STUB_TABLE"); printf 'Topic: %s\tPartitionCount: %s\n' "$p" "$n""#
        let stub = """
            #!/usr/bin/env bash
            printf '%s' "$(basename "$0")" >> "\(log)"; for a in "$@"; do printf ' <%s>' "$a" >> "\(log)"; done; echo >> "\(log)"
            for a in "$@"; do [ "$a" = "--describe" ] && { \(describe); }; done
            exit 0
            """
        for tool in ["kafka-topics.sh", "kafka-configs.sh"] {
            let path = directory + "/" + tool
            try stub.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["KAFKA_BIN"] = directory
        environment["STUB_TABLE"] = Repository.path("deploy/kafka/topics.txt")
        environment["STUB_PREFIX"] = extra["TOPIC_PREFIX"] ?? ""
        for (key, value) in extra { environment[key] = value }
        let result = try ProcessRunner.run("/usr/bin/env", ["bash", Repository.path("deploy/kafka/create-topics.sh")],
                                           environment: environment)
        let calls = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        return (result, calls)
    }

    @Test("create-topics.sh creates every topic with its partitions and configs, applies prefix, TLS/SASL client config and the replication cap")
    func createTopicsScript() throws {
        let (result, calls) = try Self.runCreateTopics(
            environment: ["BOOTSTRAP_SERVERS": "b1:9092,b2:9092", "TOPIC_PREFIX": "stage.", "MAX_REPLICATION_FACTOR": "1",
                          "COMMAND_CONFIG": "/etc/kafka/client.properties"],
            partitionCount: nil)
        #expect(result.status == 0, "\(result.stderr)")
        for spec in Topics.all {
            let topic = "<stage.\(spec.name)>"
            let creates = calls.filter { $0.hasPrefix("kafka-topics.sh") && $0.contains("<--create>") && $0.contains(topic) }
            #expect(creates.count == 1, "\(spec.name): \(calls)")
            guard let create = creates.first else { continue }
            #expect(create.contains("<--bootstrap-server> <b1:9092,b2:9092>"))
            #expect(create.contains("<--command-config> </etc/kafka/client.properties>"))
            #expect(create.contains("<--if-not-exists>"))
            #expect(create.contains("<--partitions> <\(spec.partitions)>"), "\(create)")
            #expect(create.contains("<--replication-factor> <1>"), "\(create)")
            let configs = create.matches(of: /<--config> <([^>]*)>/).map { String($0.output.1) }
            let expected = spec.brokerConfigs.map { $0.0 == "min.insync.replicas" ? "\($0.0)=1" : "\($0.0)=\($0.1)" }
            #expect(configs == expected, "\(spec.name)")
            let alter = calls.first { $0.hasPrefix("kafka-configs.sh") && $0.contains("<--entity-name> \(topic)") }
            #expect(alter?.contains("<--add-config> <\(expected.joined(separator: ","))>") == true, "\(spec.name): \(alter ?? "none")")
        }
    }

    @Test("create-topics.sh keeps a topic with too few partitions as it is and fails, naming it")
    func createTopicsReportsFewerPartitions() throws {
        let (result, calls) = try Self.runCreateTopics(environment: [:], partitionCount: 1)
        #expect(result.status == 1)
        for spec in Topics.all {
            let named = result.stderr.contains("\(spec.name) has 1 partitions, the table says \(spec.partitions)")
            #expect(named == (spec.partitions > 1), "\(spec.name): \(result.stderr)")
            // Without a cap the table's replication and min.insync.replicas are used unchanged.
            let create = calls.first { $0.contains("<--create>") && $0.contains("<\(spec.name)>") }
            #expect(create?.contains("<--replication-factor> <\(spec.replicationFactor)>") == true)
            #expect(create?.contains("<min.insync.replicas=\(max(1, spec.replicationFactor - 1))>") == true)
        }
        #expect(!calls.contains { $0.contains("--alter") && $0.contains("--partitions") }, "partitions are never added")
    }
}

import Foundation
import Kafka
import ServiceKit
import Testing
import TestSupport

@Suite("Admin and lag")
struct AdminLagTests {
    @Test("metadata lists the DESIGN §3 topics with their partition counts; watermarks in one call")
    func metadataAndWatermarks() async throws {
        try await withDevBroker(brokers: 3) { broker in
            let admin = try KafkaAdmin(configuration: adminConfiguration(broker))
            let metadata = try await admin.metadata(topics: Topics.all.map(\.name))
            #expect(metadata.brokers.map(\.id) == [1, 2, 3])
            for spec in Topics.all {
                let topic = try #require(metadata.topic(spec.name))
                #expect(topic.partitions.count == Int(spec.partitions))
                #expect(topic.partitions.allSatisfy { $0.replicas.count == min(Int(spec.replicationFactor), 3) })
            }
            let producer = try KafkaProducer(configuration: producerConfiguration(broker))
            for i in 0..<12 {
                try await producer.enqueue(OutgoingMessage(topic: Topics.ballotsSubmitted.name, partition: Int32(i % 3),
                                                           value: bytes("\(i)"))) { _ in }
            }
            try await producer.flush(timeout: .seconds(10))
            await producer.close()
            let all = metadata.topics.flatMap(\.topicPartitions)
            let marks = try await admin.watermarks(for: all)
            #expect(marks.count == all.count)
            for tp in all {
                let expected: Int64 = tp.topic == Topics.ballotsSubmitted.name && tp.partition < 3 ? 4 : 0
                #expect(marks[tp] == Watermarks(low: 0, high: expected), "\(tp)")
            }
        }
    }

    @Test("group listing and description fail with unsupportedByBroker on the mock")
    func groupsUnsupported() async throws {
        try await withDevBroker { broker in
            let admin = try KafkaAdmin(configuration: adminConfiguration(broker))
            let listError = await #expect(throws: KafkaError.self) { try await admin.listGroups() }
            #expect(listError?.code == .unsupportedByBroker)
            #expect(listError?.message.contains("unsupported by this broker") == true)
            let describeError = await #expect(throws: KafkaError.self) { try await admin.describeGroup("any") }
            #expect(describeError?.code == .unsupportedByBroker)
        }
    }

    @Test("lag rows, totals and seconds match what was produced and committed")
    func lagMatches() async throws {
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("lag")
            try await control.createTopic(topic, partitions: 4)
            let group = "lag-\(UInt32.random(in: 0...UInt32.max))"
            let producer = try KafkaProducer(configuration: producerConfiguration(broker))
            let perPartition: [Int32: Int] = [0: 10, 1: 20, 2: 0, 3: 5]
            for (partition, count) in perPartition {
                for i in 0..<count {
                    try await producer.enqueue(OutgoingMessage(topic: topic, partition: partition, value: bytes("\(i)"))) { _ in }
                }
            }
            try await producer.flush(timeout: .seconds(10))

            // The group processes all of p0 and the first 5 records of p1, and commits that.
            let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker, group: group))
            try await consumer.assign([TopicPartitionOffset(topic, 0, .beginning), TopicPartitionOffset(topic, 1, .beginning)])
            var next: [TopicPartition: Int64] = [:]
            while next[TopicPartition(topic, 0)] != 10 || next[TopicPartition(topic, 1)] != 5,
                  let m = try await consumer.poll(timeout: .seconds(10)) {
                if m.partition == 1 && m.offset >= 5 { continue }
                next[m.topicPartition] = m.nextOffset
            }
            try await consumer.commit(next)
            await consumer.close()

            let admin = try KafkaAdmin(configuration: adminConfiguration(broker))
            var history = LagHistory()
            let t0 = Date()
            let first = try await ConsumerLag.measure(admin: admin, group: group, topics: [topic], history: &history, now: t0)
            #expect(first.partitions.map(\.partition) == [0, 1, 2, 3])
            #expect(first.partitions.map(\.committedOffset) == [10, 5, nil, nil])
            #expect(first.partitions.map(\.logEndOffset) == [10, 20, 0, 5])
            #expect(first.partitions.map(\.lag) == [0, 15, nil, nil])
            #expect(first.totalLag == 15)
            #expect(first.maxLag == 15)
            #expect(first.maxLagPartition == TopicPartition(topic, 1))
            #expect(first.unknownLagPartitions == 2)
            // One point per partition so far: seconds are known only where the group is at the head.
            #expect(first.partitions.map(\.lagSeconds) == [0, nil, nil, nil])

            // Ten more records on p1, observed 10 s later: the log end moved 10 offsets in 10 s, so the
            // commit at 5 (15 behind the first point) was reached 15 s before it — 25 s before now.
            for i in 20..<30 {
                try await producer.enqueue(OutgoingMessage(topic: topic, partition: 1, value: bytes("\(i)"))) { _ in }
            }
            try await producer.flush(timeout: .seconds(10))
            await producer.close()
            let t1 = t0.addingTimeInterval(10)
            let second = try await ConsumerLag.measure(admin: admin, group: group, topics: [topic], history: &history, now: t1)
            let p1 = try #require(second.partitions.first { $0.partition == 1 })
            #expect(p1.lag == 25)
            #expect(abs((p1.lagSeconds ?? -1) - 25) < 1e-6)
            #expect(second.maxLagSeconds == p1.lagSeconds)

            let table = LagTable.render(second)
            let lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines[0].split(separator: " ").map(String.init) == LagTable.columns)
            #expect(lines[2].split(separator: " ").map(String.init)
                    == [group, topic, "1", "5", "30", "25", "25.0", "-", "-", "-"])
            #expect(lines[3].split(separator: " ").map(String.init) == [group, topic, "2", "-", "0", "-", "-", "-", "-", "-"])
            #expect(table.contains("TOTAL-LAG 25  MAX-LAG 25 (\(topic)[1])"))

            let json = try LagTable.json(second)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(object["totalLag"] as? Int == 25)
            let rows = try #require(object["partitions"] as? [[String: Any]])
            #expect(rows.count == 4)
            #expect(rows[2]["lag"] is NSNull)
            #expect(rows[1]["committedOffset"] as? Int == 5)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let decoded = try decoder.decode(GroupLag.self, from: Data(json.utf8))
            #expect(decoded.partitions == second.partitions)
        }
    }

    @Test("lag of a missing topic is an error")
    func lagMissingTopic() async throws {
        try await withDevBroker { broker in
            let admin = try KafkaAdmin(configuration: adminConfiguration(broker))
            let error = await #expect(throws: KafkaError.self) {
                try await ConsumerLag.measure(admin: admin, group: "g", topics: ["no.such.topic"])
            }
            #expect(error?.code == .unknownTopicOrPartition)
        }
    }
}

@Suite("Lag history interpolation")
struct LagHistoryTests {
    let tp = TopicPartition("t", 0)
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    @Test("interpolates between the points around the committed offset")
    func interpolation() {
        var h = LagHistory()
        let r1 = h.record(tp, endOffset: 100, at: t0)
        #expect(r1)
        let r2 = h.record(tp, endOffset: 200, at: t0.addingTimeInterval(10))
        #expect(r2)
        let r3 = h.record(tp, endOffset: 400, at: t0.addingTimeInterval(20))
        #expect(r3)
        let now = t0.addingTimeInterval(30)
        // 150 is halfway between 100 (t0) and 200 (t0+10): reached at t0+5, so 25 s ago.
        #expect(h.lagSeconds(tp, committedOffset: 150, now: now) == 25)
        // 300 is halfway between 200 (t0+10) and 400 (t0+20): reached at t0+15.
        #expect(h.lagSeconds(tp, committedOffset: 300, now: now) == 15)
        // Exactly on a point.
        #expect(h.lagSeconds(tp, committedOffset: 200, now: now) == 20)
        // Older than the history: extrapolated from the first two points (10 offsets per second).
        #expect(h.lagSeconds(tp, committedOffset: 50, now: now) == 35)
        // At or past the head.
        #expect(h.lagSeconds(tp, committedOffset: 400, now: now) == 0)
        #expect(h.lagSeconds(tp, committedOffset: 401, now: now) == 0)
    }

    @Test("fewer than two points give no estimate; out-of-order and decreasing points are rejected")
    func rejection() {
        var h = LagHistory()
        #expect(h.lagSeconds(tp, committedOffset: 5, now: t0) == nil)
        let r4 = h.record(tp, endOffset: 10, at: t0)
        #expect(r4)
        #expect(h.lagSeconds(tp, committedOffset: 5, now: t0) == nil)
        let r5 = h.record(tp, endOffset: 20, at: t0)
        #expect(!r5)
        let r6 = h.record(tp, endOffset: 5, at: t0.addingTimeInterval(1))
        #expect(!r6)
        #expect(h.points(tp).count == 1)
    }

    @Test("runs of equal offsets keep their first and last point; the earliest time counts")
    func flatRuns() {
        var h = LagHistory(capacity: 10)
        h.record(tp, endOffset: 10, at: t0)
        h.record(tp, endOffset: 20, at: t0.addingTimeInterval(10))
        h.record(tp, endOffset: 20, at: t0.addingTimeInterval(20))
        h.record(tp, endOffset: 20, at: t0.addingTimeInterval(30))
        #expect(h.points(tp).map(\.time) == [t0, t0.addingTimeInterval(10), t0.addingTimeInterval(30)])
        #expect(h.lagSeconds(tp, committedOffset: 20, now: t0.addingTimeInterval(40)) == 0)
        h.record(tp, endOffset: 30, at: t0.addingTimeInterval(40))
        // The log end reached 20 at t0+10 (not t0+30).
        #expect(h.lagSeconds(tp, committedOffset: 20, now: t0.addingTimeInterval(50)) == 40)
    }

    @Test("capacity bounds the points kept")
    func capacity() {
        var h = LagHistory(capacity: 3)
        for i in 0..<10 { h.record(tp, endOffset: Int64(i * 10), at: t0.addingTimeInterval(Double(i))) }
        #expect(h.points(tp).map(\.offset) == [70, 80, 90])
    }

    @Test("group totals: sum and max of known lags, unknown counted apart")
    func totals() {
        let rows = [
            PartitionLag(topic: "a", partition: 1, committedOffset: 3, logStartOffset: 0, logEndOffset: 10, lag: 7, lagSeconds: 2),
            PartitionLag(topic: "a", partition: 0, committedOffset: nil, logStartOffset: 0, logEndOffset: 4, lag: nil, lagSeconds: nil),
            PartitionLag(topic: "b", partition: 0, committedOffset: 1, logStartOffset: 0, logEndOffset: 10, lag: 9, lagSeconds: 1),
        ]
        let lag = GroupLag(group: "g", measuredAt: t0, state: nil, partitions: rows)
        #expect(lag.partitions.map(\.topicPartition) == [TopicPartition("a", 0), TopicPartition("a", 1), TopicPartition("b", 0)])
        #expect(lag.totalLag == 16)
        #expect(lag.maxLag == 9)
        #expect(lag.maxLagPartition == TopicPartition("b", 0))
        #expect(lag.maxLagSeconds == 2)
        #expect(lag.unknownLagPartitions == 1)
        #expect(lag.topicTotals == ["a": 7, "b": 9])
    }

    @Test("compute clamps lag at zero when the commit is ahead of the end")
    func clamp() {
        let tp = TopicPartition("t", 0)
        let lag = ConsumerLag.compute(group: "g", partitions: [tp], committed: [tp: 12],
                                      watermarks: [tp: Watermarks(low: 0, high: 10)], description: nil, history: nil, now: t0)
        #expect(lag.partitions.first?.lag == 0)
    }
}

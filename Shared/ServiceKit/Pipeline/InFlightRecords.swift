import Kafka
import Synchronization

/// Which consumed records still wait for the acknowledgement of their outputs, and so which offsets may be committed.
///
/// A record's offset becomes committable once it and every record before it in its partition have all their
/// outputs acknowledged. Delivery reports arrive on the producer's poll thread; everything is under one lock.
final class InFlightRecords: Sendable {
    /// One consumed record and its outputs.
    private struct Entry {
        var pending: Int
        /// Outputs whose delivery failed, to be produced again.
        var failed: [OutgoingMessage] = []
    }

    /// One assigned partition.
    private struct Track {
        var generation: UInt64
        var order: [Int64] = []
        var head = 0
        var entries: [Int64: Entry] = [:]
        /// The next offset to process once every earlier record is done (the offset to commit).
        var completed: Int64?
        var committed: Int64?
    }

    /// A failed output to produce again.
    struct Retry: Sendable {
        var partition: TopicPartition
        var generation: UInt64
        var offset: Int64
        var message: OutgoingMessage
    }

    private struct State {
        var tracks: [TopicPartition: Track] = [:]
        var nextGeneration: UInt64 = 0
        var inFlight = 0
        /// Outputs waiting in `failed` lists (so ``takeFailed()`` costs nothing while deliveries succeed).
        var failedCount = 0
    }

    private let state = Mutex(State())

    /// Records whose outputs are not all acknowledged.
    var count: Int { state.withLock { $0.inFlight } }

    /// Starts tracking `partitions` (a new generation: reports for an earlier assignment are ignored).
    func assign(_ partitions: [TopicPartition]) {
        state.withLock { s in
            for partition in partitions where s.tracks[partition] == nil {
                s.nextGeneration += 1
                s.tracks[partition] = Track(generation: s.nextGeneration)
            }
        }
    }

    /// Stops tracking `partitions`; their unacknowledged records are forgotten (the next owner processes them again).
    func drop(_ partitions: [TopicPartition]) {
        state.withLock { s in
            for partition in partitions {
                if let track = s.tracks.removeValue(forKey: partition) { s.inFlight -= track.entries.count }
            }
        }
    }

    /// Whether `partition` is tracked (assigned).
    func isAssigned(_ partition: TopicPartition) -> Bool { state.withLock { $0.tracks[partition] != nil } }

    /// Registers `record` with `outputs` outputs; nil when its partition is not assigned.
    func begin(_ record: ConsumedMessage, outputs: Int) -> UInt64? {
        state.withLock { s in
            let partition = record.topicPartition
            // Taken out while it changes, so its storage stays uniquely referenced (no copy of the whole track per
            // record).
            guard var track = s.tracks.removeValue(forKey: partition) else { return nil }
            defer { s.tracks[partition] = track }
            track.order.append(record.offset)
            track.entries[record.offset] = Entry(pending: outputs)
            s.inFlight += 1
            Self.advance(&track, inFlight: &s.inFlight)
            return track.generation
        }
    }

    /// One output's delivery outcome.
    func delivered(_ partition: TopicPartition, generation: UInt64, offset: Int64, failed message: OutgoingMessage?) {
        state.withLock { s in
            guard var track = s.tracks.removeValue(forKey: partition) else { return }
            defer { s.tracks[partition] = track }
            guard track.generation == generation, var entry = track.entries[offset] else { return }
            entry.pending -= 1
            if let message {
                entry.failed.append(message)
                s.failedCount += 1
            }
            track.entries[offset] = entry
            Self.advance(&track, inFlight: &s.inFlight)
        }
    }

    /// Adds `count` pending outputs to a record already begun.
    func addPending(_ partition: TopicPartition, generation: UInt64, offset: Int64, count: Int) {
        guard count > 0 else { return }
        state.withLock { s in
            guard var track = s.tracks.removeValue(forKey: partition) else { return }
            defer { s.tracks[partition] = track }
            guard track.generation == generation, var entry = track.entries[offset] else { return }
            entry.pending += count
            track.entries[offset] = entry
        }
    }

    /// Takes the failed outputs to produce again (each counted as pending again).
    func takeFailed() -> [Retry] {
        state.withLock { s in
            guard s.failedCount > 0 else { return [] }
            s.failedCount = 0
            var out: [Retry] = []
            for (partition, var track) in s.tracks {
                var changed = false
                for index in track.head..<track.order.count {
                    let offset = track.order[index]
                    guard var entry = track.entries[offset], !entry.failed.isEmpty else { continue }
                    guard entry.pending == 0 else {
                        s.failedCount += entry.failed.count   // still waiting for other reports: next round
                        continue
                    }
                    for message in entry.failed {
                        out.append(Retry(partition: partition, generation: track.generation, offset: offset, message: message))
                    }
                    entry.pending = entry.failed.count
                    entry.failed = []
                    track.entries[offset] = entry
                    changed = true
                }
                if changed { s.tracks[partition] = track }
            }
            return out
        }
    }

    /// Offsets to commit now (changed since the last commit), optionally only for `partitions`.
    func committable(only partitions: Set<TopicPartition>? = nil) -> [TopicPartition: Int64] {
        state.withLock { s in
            var out: [TopicPartition: Int64] = [:]
            for (partition, track) in s.tracks where partitions?.contains(partition) ?? true {
                if let completed = track.completed, completed != track.committed { out[partition] = completed }
            }
            return out
        }
    }

    /// Notes a successful commit.
    func markCommitted(_ offsets: [TopicPartition: Int64]) {
        state.withLock { s in
            for (partition, offset) in offsets {
                guard var track = s.tracks[partition] else { continue }
                if offset > (track.committed ?? -1) { track.committed = offset }
                s.tracks[partition] = track
            }
        }
    }

    /// Pops finished records from the head of the partition.
    private static func advance(_ track: inout Track, inFlight: inout Int) {
        while track.head < track.order.count {
            let offset = track.order[track.head]
            guard let entry = track.entries[offset], entry.pending == 0, entry.failed.isEmpty else { break }
            track.entries[offset] = nil
            track.completed = offset + 1
            track.head += 1
            inFlight -= 1
        }
        if track.head >= 1024 && track.head * 2 >= track.order.count {
            track.order.removeFirst(track.head)
            track.head = 0
        }
    }
}

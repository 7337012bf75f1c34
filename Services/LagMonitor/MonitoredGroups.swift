import Foundation
import Kafka
import ServiceKit

/// A group the monitor watches and the topics whose partitions it measures.
struct WatchedGroup: Sendable, Hashable {
    var group: String
    var topics: [String]
    /// Found through `ListConsumerGroups` rather than configured.
    var discovered: Bool
}

/// The `groups` setting: `GROUP:TOPIC[+TOPIC…]` entries, comma-separated; entries for the same group merge.
enum GroupList {
    /// The configured groups, or the pipeline's groups (``ConsumerGroups/pipeline``, prefixed) when `entries` is empty.
    ///
    /// - Throws: ``ConfigurationError`` naming `key` for an entry without a group or a topic.
    static func parse(_ entries: [String], topics names: TopicNames, key: String,
                      origin: ConfigurationOrigin?) throws(ConfigurationError) -> [WatchedGroup] {
        guard !entries.isEmpty else {
            return ConsumerGroups.pipeline.map { entry in
                let named = entry.named(names)
                return WatchedGroup(group: named.group, topics: named.topics, discovered: false)
            }
        }
        var out: [WatchedGroup] = []
        for entry in entries {
            // Topic names cannot hold ':' or '+', group ids can: split at the last ':'.
            guard let colon = entry.lastIndex(of: ":") else {
                throw ConfigurationError(.invalidValue, key: key, origin: origin,
                                         "invalid entry '\(entry)' in '\(key)': expected GROUP:TOPIC[+TOPIC...]")
            }
            let group = String(entry[..<colon]).trimmingCharacters(in: .whitespaces)
            let topics = entry[entry.index(after: colon)...].split(separator: "+").map { String($0).trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            guard !group.isEmpty, !topics.isEmpty else {
                throw ConfigurationError(.invalidValue, key: key, origin: origin,
                                         "invalid entry '\(entry)' in '\(key)': a group and at least one topic are needed")
            }
            if let index = out.firstIndex(where: { $0.group == group }) {
                for topic in topics where !out[index].topics.contains(topic) { out[index].topics.append(topic) }
            } else {
                var unique: [String] = []
                for topic in topics where !unique.contains(topic) { unique.append(topic) }
                out.append(WatchedGroup(group: group, topics: unique, discovered: false))
            }
        }
        return out
    }
}

/// A consumer group of the pipeline and the topics it consumes (DESIGN §3), without prefix.
public struct PipelineGroup: Sendable, Hashable {
    /// The group id, e.g. ``ConsumerGroups/quorumValidator``.
    public var group: String
    /// The topics its members subscribe to.
    public var topics: [TopicSpec]

    public init(group: String, topics: [TopicSpec]) {
        self.group = group
        self.topics = topics
    }

    /// The prefixed group id and topic names of one pipeline.
    public func named(_ names: TopicNames) -> (group: String, topics: [String]) {
        (names.groupID(group), topics.map(names.name))
    }
}

extension ConsumerGroups {
    /// The groups that commit offsets, with their input topics: what `electorctl lag` and `lag-monitor` watch by
    /// default. (The expiry watcher reads `scms.gccf` and `scms.expiry` without a group, so it has no lag to show.)
    public static let pipeline: [PipelineGroup] = [
        PipelineGroup(group: endorsementIntake, topics: [Topics.ballotsSubmitted]),
        PipelineGroup(group: quorumValidator, topics: [Topics.ballotsAccepted]),
        PipelineGroup(group: gccfAssembler, topics: [Topics.ballotsValidated, Topics.expiry, Topics.policy]),
    ]

    /// The pipeline group whose (unprefixed) id is `id`.
    public static func pipelineGroup(_ id: String) -> PipelineGroup? { pipeline.first { $0.group == id } }
}

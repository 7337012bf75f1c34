public import BallotCodec

extension RefreshSchedule {
    /// The GPF's `MaxGpfGccfRetrievalInterval` in force at `time` (its temporal series), in whole seconds; the CAMP
    /// default (1 h) when there is no GPF or it does not carry the series.
    public static func maxRetrievalInterval(_ gpf: GlobalPolicyData?, at time: UInt32) -> UInt64 {
        guard let series = gpf?.maxGpfGccfRetrievalInterval else { return defaultMaxRetrievalInterval }
        return UInt64(max(0, series.value(at: Time64(Time32(time))).wholeSeconds))
    }

    /// `status(lastRefresh:interval:at:)` with the interval the GPF sets at `time`.
    public static func status(lastRefresh: UInt32?, gpf: GlobalPolicyData?, at time: UInt32) -> RefreshStatus {
        status(lastRefresh: lastRefresh, interval: maxRetrievalInterval(gpf, at: time), at: time)
    }
}

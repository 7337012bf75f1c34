/// The `BallotCodec` module (work in progress).
public enum BallotCodecModule {}

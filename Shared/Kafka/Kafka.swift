/// The `Kafka` module (work in progress).
public enum KafkaModule {}

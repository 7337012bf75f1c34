/// The `ServiceKit` module (work in progress).
public enum ServiceKitModule {}

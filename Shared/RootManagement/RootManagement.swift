/// The `RootManagement` module (work in progress).
public enum RootManagementModule {}

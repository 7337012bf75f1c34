/// The `ElectorCrypto` module (work in progress).
public enum ElectorCryptoModule {}

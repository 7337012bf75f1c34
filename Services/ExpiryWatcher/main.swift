import Foundation

FileHandle.standardError.write(Data("ExpiryWatcher: not built yet\n".utf8))
exit(70)

import Foundation

FileHandle.standardError.write(Data("DevBroker: not built yet\n".utf8))
exit(70)

import Foundation

FileHandle.standardError.write(Data("ElectorCtl: not built yet\n".utf8))
exit(70)

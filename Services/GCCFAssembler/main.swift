import Foundation

FileHandle.standardError.write(Data("GCCFAssembler: not built yet\n".utf8))
exit(70)

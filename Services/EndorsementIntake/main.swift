import Foundation

FileHandle.standardError.write(Data("EndorsementIntake: not built yet\n".utf8))
exit(70)

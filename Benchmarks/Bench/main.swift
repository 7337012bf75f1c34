import Foundation

print("no benchmarks yet")

import Dispatch
import Foundation
import Synchronization

/// A dedicated OS thread that runs a client's poll loop, so blocking librdkafka polls never occupy a
/// thread of the Swift cooperative pool.
final class PollThread: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    /// Starts `loop` on a new thread. `loop` must return soon after ``isStopping`` turns true.
    init(name: String, loop: @escaping @Sendable (PollThread) -> Void) {
        let thread = Thread { [self] in
            loop(self)
            self.exited.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Whether ``stop()`` was requested.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Asks the loop to finish without waiting.
    func requestStop() { stopping.store(true, ordering: .releasing) }

    /// Asks the loop to finish and waits until it has (idempotent). Blocks the calling thread.
    func stop() {
        requestStop()
        if stopped.exchange(true, ordering: .acquiringAndReleasing) { return }
        exited.wait()
    }

    /// Waits for the thread to finish on a dispatch thread, so async callers do not block the pool.
    func stopAsync() async {
        requestStop()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.stop()
                c.resume()
            }
        }
    }
}

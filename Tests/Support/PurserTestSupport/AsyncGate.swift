/// Lets at most `limit` callers run `body` at once; the rest wait their turn
/// in arrival order. Tests use it to keep a whole target's parallel set-up
/// from arriving at the shared test server in one burst.
public actor AsyncGate {
    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) {
        precondition(limit > 0, "a gate must let someone through")
        self.limit = limit
    }

    /// Runs `body` once a place is free, and frees it when `body` returns or throws.
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func leave() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

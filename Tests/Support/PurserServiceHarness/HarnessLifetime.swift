/// Runs `body` with what `start` started and always runs `stop` on it
/// afterwards, whether `body` returned or threw, so a failing test never
/// leaves services listening or pools open.
package func withStarted<Started, T>(
    _ start: () async throws -> Started, stop: (Started) async -> Void, _ body: (Started) async throws -> T
) async throws -> T {
    let started = try await start()
    do {
        let result = try await body(started)
        await stop(started)
        return result
    } catch {
        await stop(started)
        throw error
    }
}

import Foundation
import PurserTestSupport

/// Runs an executable to completion (`SpawnedProcess`: polled, never
/// blocking the Swift concurrency pool the servers under test need),
/// returning its exit status and combined output.
func runChildProcess(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
    let finished = try await SpawnedProcess.run(executable, arguments, mergingErrors: true)
    return (finished.status, finished.output)
}

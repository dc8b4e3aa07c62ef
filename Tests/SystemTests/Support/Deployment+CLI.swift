import Foundation

extension Deployment {
    /// A CLI call that did not exit 0: the call and the services' logs.
    struct CLIFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `story` against a fresh deployment once every service serves,
    /// and stops the deployment whether the story passes or throws.
    static func withServing(_ story: (Deployment) async throws -> Void) async throws {
        let deployment = try await Deployment()
        do {
            try await deployment.waitUntilServing()
            try await story(deployment)
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }

    /// `purser <arguments> --json` with `environment`.
    func cliJSON(_ arguments: [String], _ environment: [String: String]) async throws -> CommandResult {
        try await purser(arguments + ["--json"], environment)
    }

    /// `purser <arguments> --json`, which must exit 0: its JSON object.
    func cliOK(_ arguments: [String], _ environment: [String: String]) async throws -> [String: Any] {
        let result = try await cliJSON(arguments, environment)
        guard result.status == 0 else { throw CLIFailure(description: "\(arguments): \(result)\n\(logs())") }
        return try result.json()
    }

    /// The environment that lets the CLI present the deployment's `cli` certificate (for bootstrap).
    var cliCertificate: [String: String] {
        ["PURSER_CERT": certificates + "/cli.pem", "PURSER_KEY": certificates + "/cli.key"]
    }
}

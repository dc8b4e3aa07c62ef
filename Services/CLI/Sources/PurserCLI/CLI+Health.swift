import PurserClient
import PurserRPC

extension CLI {
    /// `purser health`: every service's (or one service's) Health/Check.
    static let healthCommand = CommandNode.verb(
        CommandSpec(
            "health", "check the services' health; exits 0 only if every one checked is SERVING",
            details: "Needs only the CA (and --cert/--key where the service requires mutual TLS); no secret.\n"
                + "Example: purser health --service wallet --endpoint 127.0.0.1:7102",
            flags: [.optional("service", "NAME", "only this service: identity, wallet, policy, settlement or email"),
                    .optional("endpoint", "HOST:PORT", "where that service listens (with --service)")]),
        health)

    static func health(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        var services = ServiceName.allCases
        if let name = try command.choice("service", ServiceName.allCases.map(\.rawValue)), let service = ServiceName(rawValue: name) {
            services = [service]
        } else if command.string("endpoint") != nil {
            throw UsageError(reason: "missing_flag", "--endpoint needs --service", path: command.path)
        }
        var settings = context.settings
        if let text = command.string("endpoint"), let service = services.first {
            guard let endpoint = Endpoint(parsing: text) else {
                throw UsageError(reason: "invalid_value", "--endpoint: \"\(text)\" is not HOST:PORT", path: command.path)
            }
            settings.endpoints[service] = endpoint
        }
        let client = try context.anonymousClient(endpoints: settings.endpoints)
        var byService: [ServiceName: (ServiceName, String, String)] = [:]
        await withTaskGroup(of: (ServiceName, String, String).self) { group in
            for service in services {
                group.addTask {
                    do throws(PurserClientError) {
                        return (service, try await client.health(service).description, "")
                    } catch {
                        return (service, "UNREACHABLE", error.reason ?? error.code.name.lowercased())
                    }
                }
            }
            for await result in group { byService[result.0] = result }
        }
        let results = services.compactMap { byService[$0] }
        let output = CommandOutput(
            json: .members([
                ("serving", .bool(results.allSatisfy { $0.1 == "SERVING" })),
                ("services", .array(results.map { service, status, detail in
                    .members([("service", .string(service.rawValue)), ("endpoint", .string(settings.endpoint(service).description)),
                             ("status", .string(status)), ("detail", .string(detail))])
                })),
            ]),
            text: Table(["SERVICE", "ENDPOINT", "STATUS", "DETAIL"],
                        rows: results.map { [$0.0.rawValue, settings.endpoint($0.0).description, $0.1, Render.orDash($0.2)] }).rendered())
        let down = results.filter { $0.1 != "SERVING" }.map(\.0.rawValue)
        guard down.isEmpty else {
            throw CommandFailure(reason: "not_serving", "not serving: \(down.joined(separator: ", "))", output: output)
        }
        return output
    }
}

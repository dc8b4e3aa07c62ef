import PurserAPI
import PurserClient
import PurserKit

extension CLI {
    /// `purser keys …`: the tenant's API keys (tenant admin, or the operator with --tenant).
    static let keysCommands = CommandNode.group(
        name: "keys", summary: "tenant API keys (admin and finance)",
        [
            .verb(
                CommandSpec(
                    "create", "create a tenant API key; prints its secret once",
                    flags: [.required("role", "admin|finance", "what the key may do"),
                            .optional("label", "TEXT", "what the key is for"),
                            .optional("expires-in", "DURATION", "lifetime, e.g. 90d (default: never expires)"),
                            .optional("idempotency-key", "KEY", "repeat-safe key")]),
                createKey),
            .verb(CommandSpec("list", "list the tenant's API keys"), listKeys),
            .verb(CommandSpec("revoke", "revoke an API key at once", flags: [.required("key", "ID", "key id")]), revokeKey),
        ])

    static func createKey(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        let role: ApiKeyRole = try command.choice("role", ["admin", "finance"]) == "admin" ? .admin : .finance
        var expiresAtUs: Int64 = 0
        if let lifetime = try command.duration("expires-in") {
            expiresAtUs = nowUs() + lifetime.microseconds
        }
        let client = try context.client()
        let tenant = try await context.tenantID(client)
        let response = try await client.identity().createApiKey(
            CreateApiKeyRequest(tenantID: tenant, role: role, label: command.string("label") ?? "", expiresAtUs: expiresAtUs),
            idempotencyKey: context.idempotencyKey)
        return CommandOutput(
            json: .members([("key", response.key.json), ("secret", .string(response.secret))]),
            text: Table.record([("key", response.key.id), ("tenant", response.key.tenantID), ("role", response.key.role.description),
                                ("secret", response.secret)])
                + "The secret is shown once.\n")
    }

    static func listKeys(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let response = try await client.identity().listApiKeys(tenantID: try await context.tenantID(client))
        return CommandOutput(
            json: .members([("keys", .array(response.keys.map(\.json))), ("next_page_token", .string(response.nextPageToken))]),
            text: Table(ApiKey.columns, rows: response.keys.map(\.row)).rendered())
    }

    static func revokeKey(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let key = try await client.identity().revokeApiKey(tenantID: try await context.tenantID(client),
                                                           keyID: try context.command.required("key"))
        return CommandOutput(json: key.json, text: "revoked key \(key.id) at \(UTCDate.timestamp(key.revokedAtUs))\n")
    }
}

import Foundation
import PurserAPI
import PurserClient
import PurserKit
import PurserRPC

extension CLI {
    /// `purser admin …`: operator commands.
    static let adminCommands = CommandNode.group(
        name: "admin", summary: "operator: bootstrap, tenants, providers, signing keys",
        [
            .verb(
                CommandSpec(
                    "bootstrap", "create the first operator key (mutual TLS with a certificate from the deployment CA; once)",
                    details: "Prints the operator secret once. --write-profile saves it with the CA and endpoints as a profile file.",
                    flags: [.optional("label", "TEXT", "label of the operator key"),
                            .optional("write-profile", "FILE", "write a profile file holding the secret (mode 600)")]),
                bootstrap),
            .group(
                name: "tenants", summary: "create and list tenants",
                [
                    .verb(
                        CommandSpec(
                            "create", "create a tenant",
                            flags: [.required("slug", "SLUG", "short unique name, e.g. acme"),
                                    .required("name", "NAME", "display name"),
                                    .optional("email-domain", "DOMAIN", "domain of the agents' addresses"),
                                    .optional("time-zone", "ZONE", "IANA zone of policy windows (default UTC)"),
                                    .optional("currency", "CODE", "ISO 4217 currency (default USD)"),
                                    .toggle("admin-can-read-mail", "let tenant admins read agents' mail"),
                                    .toggle("accept-payments-from-other-tenants", "let agents of other tenants pay this tenant's agents"),
                                    .optional("idempotency-key", "KEY", "repeat-safe key for this creation")]),
                        createTenant),
                    .verb(
                        CommandSpec(
                            "update", "change the settings of the tenant given by --tenant (or the caller's own)",
                            flags: [.optional("accept-payments-from-other-tenants", "true|false",
                                              "whether agents of other tenants may pay this tenant's agents")]),
                        updateTenant),
                    .verb(CommandSpec("list", "list tenants", flags: [.optional("limit", "N", "page size")]), listTenants),
                    .verb(CommandSpec("show", "show the tenant given by --tenant (or the caller's own)"), showTenant),
                ]),
            .group(
                name: "providers", summary: "register and list providers (paid APIs receiving money)",
                [
                    .verb(
                        CommandSpec(
                            "register", "register a provider; prints its secret once",
                            flags: [.required("slug", "SLUG", "short unique name"), .required("name", "NAME", "display name"),
                                    .optional("category", "CATEGORY", "default category of its charges"),
                                    .optional("categories", "A,B", "other categories it may be paid under"),
                                    .optional("idempotency-key", "KEY", "repeat-safe key")]),
                        registerProvider),
                    .verb(CommandSpec("list", "list providers"), listProviders),
                    .verb(CommandSpec("show", "show a provider", flags: [.required("provider", "ID", "provider id")]), showProvider),
                    .verb(
                        CommandSpec(
                            "rotate-secret", "issue a new provider secret",
                            flags: [.required("provider", "ID", "provider id"),
                                    .optional("grace", "DURATION", "how long the old secret keeps working (default 0)")]),
                        rotateProviderSecret),
                ]),
            .group(
                name: "signing-keys", summary: "the token signing keys",
                [
                    .verb(CommandSpec("list", "print the public JWK set"), listSigningKeys),
                    .verb(CommandSpec("rotate", "make a new current signing key (the previous one keeps verifying)"), rotateSigningKey),
                ]),
        ])

    static func bootstrap(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.anonymousClient()
        let label = context.command.string("label") ?? "operator"
        let response = try await client.identity().bootstrap(label: label)
        var profileNote = ""
        if let path = context.command.string("write-profile") {
            try writeProfile(path: path, secret: response.secret, settings: context.settings)
            profileNote = "profile written to \(path): export PURSER_CONFIG=\(path)\n"
        }
        return CommandOutput(
            json: .members([("key_id", .string(response.keyID)), ("secret", .string(response.secret))]
                + Render.time("created_at", response.createdAtUs)),
            text: Table.record([("operator key", response.keyID), ("secret", response.secret)])
                + "The secret is shown once: keep it (PURSER_SECRET or a profile).\n" + profileNote)
    }

    /// Writes a profile holding `secret`, the CA and the endpoints, readable by the owner only.
    static func writeProfile(path: String, secret: String, settings: CLISettings) throws {
        var values: [String: String] = ["secret": secret]
        if let ca = settings.caPath { values["ca"] = ca }
        for service in ServiceName.allCases { values["endpoint.\(service.rawValue)"] = settings.endpoint(service).description }
        let text = ProfileFile.render(values, header: "purser profile: operator key")
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure(reason: "profile_not_written", "cannot write \(path)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    static func createTenant(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        let request = CreateTenantRequest(
            slug: try command.required("slug"), name: try command.required("name"),
            emailDomain: command.string("email-domain") ?? "", timeZone: command.string("time-zone") ?? "",
            currency: command.string("currency") ?? "", adminCanReadMail: command.flag("admin-can-read-mail"),
            acceptsPaymentsFromOtherTenants: command.flag("accept-payments-from-other-tenants"))
        let tenant = try await context.client().identity().createTenant(request, idempotencyKey: context.idempotencyKey)
        return CommandOutput(json: tenant.json, text: Table.record(zip(Tenant.columns.map { $0.lowercased() }, tenant.row).map { ($0, $1) }))
    }

    static func listTenants(_ context: CommandContext) async throws -> CommandOutput {
        let limit = try context.command.integer("limit", in: 1...1000) ?? 0
        let response = try await context.client().identity().listTenants(pageSize: Int32(limit))
        return CommandOutput(
            json: .members([("tenants", .array(response.tenants.map(\.json))), ("next_page_token", .string(response.nextPageToken))]),
            text: Table(Tenant.columns, rows: response.tenants.map(\.row)).rendered())
    }

    static func showTenant(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let tenant = try await client.identity().getTenant(id: try await context.tenantID(client))
        return CommandOutput(json: tenant.json, text: Table.record(zip(Tenant.columns.map { $0.lowercased() }, tenant.row).map { ($0, $1) }))
    }

    static func updateTenant(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        var accepts: Bool?
        switch context.command.string("accept-payments-from-other-tenants") {
        case nil: accepts = nil
        case "true": accepts = true
        case "false": accepts = false
        case let other?:
            throw CommandFailure(reason: "flag_invalid", "--accept-payments-from-other-tenants takes true or false, not \(other)")
        }
        let request = UpdateTenantSettingsRequest(tenantID: try await context.tenantID(client), acceptsPaymentsFromOtherTenants: accepts)
        let tenant = try await client.identity().updateTenantSettings(request)
        return CommandOutput(json: tenant.json, text: Table.record(zip(Tenant.columns.map { $0.lowercased() }, tenant.row).map { ($0, $1) }))
    }

    static func registerProvider(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        let categories = (command.string("categories") ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let request = RegisterProviderRequest(slug: try command.required("slug"), name: try command.required("name"),
                                              defaultCategory: command.string("category") ?? "", categories: categories)
        let response = try await context.client().identity().registerProvider(request, idempotencyKey: context.idempotencyKey)
        let provider = response.provider
        return CommandOutput(
            json: .members([("provider", provider.json), ("secret", .string(response.secret))]),
            text: Table.record([("provider", provider.id), ("slug", provider.slug), ("name", provider.name),
                                ("category", Render.orDash(provider.defaultCategory)),
                                ("categories", Render.orDash(provider.categories.joined(separator: ","))), ("secret", response.secret)])
                + "The secret is shown once.\n")
    }

    static func listProviders(_ context: CommandContext) async throws -> CommandOutput {
        let response = try await context.client().identity().listProviders()
        return CommandOutput(
            json: .members([("providers", .array(response.providers.map(\.json))), ("next_page_token", .string(response.nextPageToken))]),
            text: Table(Provider.columns, rows: response.providers.map(\.row)).rendered())
    }

    static func showProvider(_ context: CommandContext) async throws -> CommandOutput {
        let provider = try await context.client().identity().getProvider(id: try context.command.required("provider"))
        return CommandOutput(json: provider.json, text: Table.record(zip(Provider.columns.map { $0.lowercased() }, provider.row).map { ($0, $1) }))
    }

    static func rotateProviderSecret(_ context: CommandContext) async throws -> CommandOutput {
        let grace = try context.command.duration("grace") ?? .zero
        let request = RotateProviderSecretRequest(providerID: try context.command.required("provider"), gracePeriodUs: grace.microseconds)
        let response = try await context.client().identity().rotateProviderSecret(request, idempotencyKey: context.idempotencyKey)
        return secretRotated(response)
    }

    static func secretRotated(_ response: RotateSecretResponse) -> CommandOutput {
        CommandOutput(
            json: .members([("secret", .string(response.secret))] + Render.time("previous_expires_at", response.previousExpiresAtUs)),
            text: Table.record([("secret", response.secret), ("previous secret stops", UTCDate.timestamp(response.previousExpiresAtUs))])
                + "The secret is shown once.\n")
    }

    static func listSigningKeys(_ context: CommandContext) async throws -> CommandOutput {
        let response = try await context.anonymousClient().identity().signingKeys()
        return CommandOutput(json: .members([("jwks_json", .string(response.jwksJSON))]), text: response.jwksJSON + "\n")
    }

    static func rotateSigningKey(_ context: CommandContext) async throws -> CommandOutput {
        let response = try await context.client().identity().rotateSigningKey(idempotencyKey: context.idempotencyKey)
        return CommandOutput(
            json: .members([("kid", .string(response.kid)), ("previous_kid", .string(response.previousKid))]
                + Render.time("previous_expires_at", response.previousExpiresAtUs)),
            text: Table.record([("current key", response.kid), ("previous key", Render.orDash(response.previousKid)),
                                ("previous verifies until", UTCDate.timestamp(response.previousExpiresAtUs))]))
    }
}

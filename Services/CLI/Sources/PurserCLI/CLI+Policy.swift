import PurserAPI
import PurserClient
import PurserJSON

extension CLI {
    /// `purser policy …`: spending policies (tenant admin; finance reads).
    static let policyCommands = CommandNode.group(
        name: "policy", summary: "spending policies: set, show, versions, simulate",
        details: "Without --agent a command acts on the tenant's default policy; with --agent on that agent's override.",
        [
            .verb(
                CommandSpec(
                    "set", "store a new policy version",
                    details: "Give the document with --file or --document (JSON), or build it from flags, e.g.\n"
                        + "  purser policy set --per-call-max 5 --limit daily=20 --block-category gambling",
                    flags: [.optional("agent", "ID|HANDLE", "set the agent's override instead of the tenant default"),
                            .optional("file", "FILE", "policy document (JSON)"), .optional("document", "JSON", "policy document inline"),
                            .optional("per-call-max", "AMOUNT", "largest single spend"),
                            .repeated("limit", "INTERVAL=AMOUNT[:CATEGORIES]", "cap per per_task|hourly|daily|weekly|monthly|lifetime"),
                            .repeated("allow-category", "NAME", "only these categories"), .repeated("block-category", "NAME", "never these categories"),
                            .repeated("allow-provider", "ID", "only these providers"), .repeated("block-provider", "ID", "never these providers"),
                            .optional("expected-version", "N", "fail unless the current version is N"), idempotencyFlag]),
                setPolicy),
            .verb(
                CommandSpec("show", "the effective policy (tenant default merged with the agent's override)",
                            flags: [.optional("agent", "ID|HANDLE", "the agent (default: the tenant default alone)")]),
                showPolicy),
            .verb(
                CommandSpec("versions", "every stored version, newest first",
                            flags: [.optional("agent", "ID|HANDLE", "the agent's override (default: the tenant default)")]),
                policyVersions),
            .verb(
                CommandSpec("simulate", "what an authorization would be told now (static: caps, not counters)",
                            flags: [agentFlag, .required("amount", "AMOUNT", "amount"), .required("provider", "ID", "provider"),
                                    .optional("category", "CATEGORY", "category"), .optional("task", "ID", "task id")]),
                simulatePolicy),
        ])

    static func setPolicy(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        var document: String
        if let path = command.string("file") {
            guard let text = readFile(path) else {
                throw UsageError(reason: "invalid_value", "--file: cannot read \(path)", path: command.path)
            }
            document = text
        } else if let inline = command.string("document") {
            document = inline
        } else if let built = try PolicyDocumentBuilder.document(from: command) {
            document = built.rendered()
        } else {
            throw UsageError(reason: "missing_flag", "give the policy with --file, --document or rule flags (--per-call-max, --limit, …)",
                             path: command.path)
        }
        if command.string("file") != nil || command.string("document") != nil, try PolicyDocumentBuilder.document(from: command) != nil {
            throw UsageError(reason: "invalid_value", "rule flags cannot be combined with --file or --document", path: command.path)
        }
        document = document.trimmingSpaces()
        let expected = try command.integer("expected-version", in: 0...Int(Int32.max)).map(Int64.init)
        let client = try context.client()
        let tenant = try await context.tenantID(client)
        let version: PolicyVersion
        if let agent = command.string("agent") {
            let agentID = try await resolveAgent(agent, tenant: tenant, client: client)
            version = try await client.policy().setAgentPolicy(
                SetAgentPolicyRequest(tenantID: tenant, agentID: agentID, documentJSON: document, expectedVersion: expected),
                idempotencyKey: context.idempotencyKey)
        } else {
            version = try await client.policy().setTenantPolicy(
                SetTenantPolicyRequest(tenantID: tenant, documentJSON: document, expectedVersion: expected),
                idempotencyKey: context.idempotencyKey)
        }
        return CommandOutput(json: version.json, text: "stored \(version.level.name) policy version \(version.version)\n\(version.documentJSON)\n")
    }

    static func showPolicy(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let tenant = try await context.tenantID(client)
        var agentID = ""
        if let agent = context.command.string("agent") { agentID = try await resolveAgent(agent, tenant: tenant, client: client) }
        let view = try await client.policy().effectivePolicy(tenantID: tenant, agentID: agentID)
        return CommandOutput(json: view.json, text: view.text)
    }

    static func policyVersions(_ context: CommandContext) async throws -> CommandOutput {
        let client = try context.client()
        let tenant = try await context.tenantID(client)
        var agentID = ""
        if let agent = context.command.string("agent") { agentID = try await resolveAgent(agent, tenant: tenant, client: client) }
        let response = try await client.policy().versions(ListPolicyVersionsRequest(tenantID: tenant, agentID: agentID))
        return CommandOutput(
            json: .members([("versions", .array(response.versions.map(\.json))), ("next_page_token", .string(response.nextPageToken))]),
            text: Table(["VERSION", "LEVEL", "AUTHOR", "CREATED", "DOCUMENT"],
                        rows: response.versions.map { [String($0.version), $0.level.name, $0.author, UTCDate.timestamp($0.createdAtUs),
                                                        $0.documentJSON] }).rendered())
    }

    static func simulatePolicy(_ context: CommandContext) async throws -> CommandOutput {
        let command = context.command
        let (client, tenant, agentID) = try await agentTarget(context)
        var request = EvaluateRequest()
        request.tenantID = tenant
        request.agentID = agentID
        request.amountMicros = try command.requiredAmount("amount").micros
        request.provider = try command.required("provider")
        request.category = command.string("category") ?? ""
        request.taskID = command.string("task") ?? ""
        let response = try await client.policy().simulate(request)
        var members: [(String, JSONValue)] = [("allowed", .bool(response.allowed))]
        var text = response.allowed ? "allowed\n" : "denied\n"
        if let denial = response.denial, !response.allowed {
            members.append(("denial", .members([("reason", .string(denial.reason)), ("rule", .string(denial.rule))]
                + Render.amount("headroom", denial.headroomMicros) + [("remaining_count", .integer(denial.remainingCount))])))
            text = "denied: \(denial.reason) (rule \(denial.rule)"
                + (denial.headroomMicros >= 0 ? ", headroom \(Render.money(denial.headroomMicros))" : "") + ")\n"
        }
        members.append(("limits", .array(response.limits.map {
            .members([("limit_id", .string($0.limitID)), ("interval", .string($0.interval)), ("window", .string($0.windowKey))]
                + Render.amount("cap", $0.capMicros) + [("cap_count", .integer($0.capCount)), ("rule", .string($0.rule))])
        })))
        if !response.limits.isEmpty {
            text += Table(["LIMIT", "INTERVAL", "WINDOW", "CAP", "COUNT"],
                          rows: response.limits.map { [$0.limitID, $0.interval, $0.windowKey, Render.money($0.capMicros),
                                                       $0.capCount == 0 ? "-" : String($0.capCount)] }).rendered()
        }
        return CommandOutput(json: .members(members), text: text)
    }
}

extension PolicyVersion {
    var json: JSONValue {
        .members([("tenant_id", .string(tenantID)), ("agent_id", .string(agentID)), ("level", .string(level.name)),
                 ("version", .integer(version)), ("document_json", .string(documentJSON)), ("author", .string(author))]
            + Render.time("created_at", createdAtUs))
    }
}

extension EffectivePolicyView {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("tenant_id", .string(tenantID)), ("agent_id", .string(agentID)), ("tenant_version", .integer(tenantVersion)),
            ("agent_version", .integer(agentVersion)), ("etag", .string(etag)), ("time_zone", .string(timeZone)),
        ]
        members.append(("ancestors", .array(ancestors.map {
            .members([("agent_id", .string($0.agentID)), ("version", .integer($0.version))])
        })))
        members.append(("per_call_max", perCallMax.map { .members(Render.amount("amount", $0.amountMicros) + [("rule", .string($0.rule))]) } ?? .null))
        members.append(("limits", .array(limits.map {
            .members([("limit_id", .string($0.limitID)), ("interval", .string($0.interval))] + Render.amount("amount", $0.amountMicros)
                + [("count", .integer($0.count)), ("categories", Render.strings($0.categories)), ("rule", .string($0.rule))])
        })))
        members.append(("allowed_categories", allowedCategories.map { Render.strings($0.names) } ?? .null))
        members.append(("blocked_categories", Render.strings(blockedCategories.map(\.name))))
        members.append(("allowed_providers", allowedProviders.map { Render.strings($0.names) } ?? .null))
        members.append(("blocked_providers", Render.strings(blockedProviders.map(\.name))))
        return .members(members)
    }

    var text: String {
        var fields: [(String, String)] = [
            ("tenant version", String(tenantVersion)), ("agent version", agentID.isEmpty ? "-" : String(agentVersion)),
            ("ancestors", ancestors.isEmpty ? "-" : ancestors.map { "\($0.agentID) v\($0.version)" }.joined(separator: ", ")),
            ("time zone", timeZone), ("per-call max", perCallMax.map { Render.money($0.amountMicros) } ?? "-"),
            ("allowed categories", allowedCategories.map { Render.list($0.names) } ?? "any"),
            ("blocked categories", Render.list(blockedCategories.map(\.name))),
            ("allowed providers", allowedProviders.map { Render.list($0.names) } ?? "any"),
            ("blocked providers", Render.list(blockedProviders.map(\.name))),
        ]
        if limits.isEmpty { fields.append(("limits", "-")) }
        var text = Table.record(fields)
        if !limits.isEmpty {
            text += Table(["LIMIT", "INTERVAL", "AMOUNT", "COUNT", "CATEGORIES", "FROM"],
                          rows: limits.map { [$0.limitID, $0.interval, Render.money($0.amountMicros), $0.count == 0 ? "-" : String($0.count),
                                              Render.list($0.categories), $0.source.name] }).rendered()
        }
        return text
    }
}

extension PolicyLevel {
    /// `tenant` or `agent` (the raw number for a level this CLI does not know).
    var name: String {
        switch self {
        case .tenant: "tenant"
        case .agent: "agent"
        case .ancestor: "ancestor"
        default: "level_\(rawValue)"
        }
    }
}

extension RuleSourceView {
    /// `tenant v2`, `agent v3`, or `ancestor <agent id> v1` for a rule an ancestor's override sets.
    var name: String {
        level == .ancestor ? "ancestor \(agentID) v\(version)" : "\(level.name) v\(version)"
    }
}

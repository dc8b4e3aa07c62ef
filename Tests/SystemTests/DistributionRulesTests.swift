import Foundation
import PurserKit
import PurserPostgres
import PurserTestSupport
import Testing

/// The schemas the real services create follow the rules that let one
/// PostgreSQL become a Citus cluster distributed by `tenant_id` without a
/// change of schema (ARCHITECTURE.md, "Distributed by tenant"):
///
/// - every table is either a tenant table (a `tenant_id NOT NULL` column) or
///   declared below as global, with the reason;
/// - every primary key, unique constraint and unique index of a tenant table
///   includes `tenant_id`;
/// - a foreign key between tenant tables includes `tenant_id` on both sides,
///   at the same position; no global table refers to a tenant table;
/// - a globally unique name (a secret's digest, an email address, a tenant's
///   slug) lives in its own table keyed by that name alone;
/// - every function that touches a tenant table takes the tenant as an
///   argument (`p_tenant`), unless it is declared below as a cross-tenant
///   maintenance job (run off the request path; under Citus, on each node).
///
/// The test reads the live catalog (`pg_class`, `pg_index`, `pg_constraint`,
/// `pg_proc`) of a deployment whose executables applied their migrations, and
/// names every table, index, key and function that breaks a rule.
@Suite struct DistributionRulesTests {
    /// Tables with no tenant: small, written rarely, replicated to every node
    /// under Citus (reference tables).
    static let referenceTables: [String: String] = [
        "identity.operator_keys": "operators belong to no tenant",
        "identity.providers": "providers are paid by every tenant; a handful of rows",
        "identity.signing_keys": "a few keys that sign every tenant's tokens",
        "settlement.feed_cursor": "one row per feed the Settlement reads",
        "settlement.periods": "one row per settlement period, shared by every tenant",
    ]

    /// Tables whose rows belong to two tenants at once, with the reason. They
    /// have no single tenant to be distributed by: under Citus they would be
    /// distributed by the first tenant of the pair (the column named in the
    /// reason, which their keys do not include yet), and the other side's
    /// reads would fan out to every node.
    static let pairTables: [String: String] = [
        "settlement.transfers": "a payment between two tenants; by payer_tenant",
        "settlement.tenant_batches": "what two tenants owe each other for a period, netted; by tenant_low",
    ]

    /// Tables keyed by a globally unique name alone (the column named), read
    /// before the tenant is known.
    static let nameKeyedTables: [String: String] = [
        "identity.credentials": "digest",
        "identity.tenant_slugs": "slug",
        "email.address_directory": "address",
        "settlement.batch_directory": "batch_id",
    ]

    /// Functions that touch several tenants on purpose, with the reason.
    static let crossTenantFunctions: [String: String] = [
        "wallet.sweep_expired": "maintenance: releases expired holds of every tenant, in bounded steps",
        "wallet.purge_idempotency": "maintenance: deletes idempotency records past their retention",
    ]

    /// Row triggers, with the reason: a trigger takes no arguments, and runs in
    /// the transaction of the row that fired it, which is one tenant's.
    static let rowTriggerFunctions: [String: String] = [
        "wallet.roll_up_spend": "adds an entry to its own tenant's agent_spend_days row (NEW.tenant_id)",
        "wallet.balance_events": "writes its own tenant's balance events to wallet.event_outbox (NEW.tenant_id)",
        "wallet.denial_events": "writes its own tenant's denial event to wallet.event_outbox (NEW.tenant_id)",
        "email.message_events": "writes its own tenant's email.received event to email.event_outbox (NEW.tenant_id)",
        "settlement.batch_events": "writes its own tenant's batch events to settlement.event_outbox (NEW.tenant_id)",
    ]

    static let schemas = ["identity", "wallet", "policy", "settlement", "email"]

    @Test(.timeLimit(.minutes(3))) func theLiveSchemasFollowTheDistributionRules() async throws {
        let deployment = try await Deployment()
        let catalog: Catalog
        do {
            try await deployment.waitUntilServing()
            catalog = try await Catalog.read(databaseURL: deployment.databaseURL, schemas: Self.schemas)
        } catch {
            await deployment.stop()
            throw error
        }
        await deployment.stop()
        // The read saw what the services hold, so an empty list of breaches means something.
        for table in ["identity.agents", "wallet.accounts", "wallet.holds", "policy.policy_heads", "settlement.batches",
                      "email.aliases"] {
            #expect(catalog.tables[table]?.tenantColumn == .notNull, "\(table) was not read as a tenant table")
        }
        #expect(catalog.functions.contains { $0.name == "wallet.authorize_agents" && $0.argumentNames.first == "p_tenant" })
        #expect(catalog.uniqueIndexes.contains { $0.table == "wallet.accounts" && $0.columns == ["tenant_id", "account_id"] })
        #expect(catalog.foreignKeys.contains { $0.from == "email.aliases" && $0.to == "email.agents" })

        let violations = Self.violations(in: catalog)
        #expect(violations.isEmpty, "rules broken:\n\(violations.joined(separator: "\n"))")
    }

    /// Each kind of breach, planted in a catalog of its own, is named.
    @Test func eachKindOfBreachIsNamed() {
        var catalog = Catalog()
        for name in Array(Self.referenceTables.keys) + Array(Self.pairTables.keys) {
            catalog.tables[name] = .init(tenantColumn: .absent, isMigrationsTable: false)
        }
        for (name, key) in Self.nameKeyedTables {
            catalog.tables[name] = .init(tenantColumn: .absent, isMigrationsTable: false)
            catalog.uniqueIndexes.append(.init(table: name, name: "\(name)_pkey", columns: [key], isPrimaryKey: true))
        }
        for name in Self.crossTenantFunctions.keys {
            catalog.functions.append(.init(name: name, arguments: "", argumentNames: [], source: "DELETE FROM wallet.holds"))
        }
        catalog.tables["wallet.holds"] = .init(tenantColumn: .notNull, isMigrationsTable: false)
        catalog.tables["wallet.entries"] = .init(tenantColumn: .notNull, isMigrationsTable: false)
        catalog.uniqueIndexes.append(.init(table: "wallet.holds", name: "holds_pkey", columns: ["tenant_id", "hold_id"], isPrimaryKey: true))
        #expect(DistributionRulesTests.violations(in: catalog) == [], "a catalog that follows the rules")

        var breaches = catalog
        breaches.tables["wallet.orphans"] = .init(tenantColumn: .absent, isMigrationsTable: false)
        breaches.tables["wallet.loose"] = .init(tenantColumn: .nullable, isMigrationsTable: false)
        breaches.uniqueIndexes.append(.init(table: "wallet.entries", name: "entries_seq", columns: ["seq"], isPrimaryKey: false))
        breaches.uniqueIndexes.append(.init(table: "identity.credentials", name: "credentials_subject", columns: ["subject_id"],
                                            isPrimaryKey: false))
        breaches.foreignKeys.append(.init(name: "entries_hold", from: "wallet.entries", fromColumns: ["hold_id", "tenant_id"],
                                          to: "wallet.holds", toColumns: ["tenant_id", "hold_id"]))
        breaches.foreignKeys.append(.init(name: "providers_hold", from: "identity.providers", fromColumns: ["tenant_id", "hold_id"],
                                          to: "wallet.holds", toColumns: ["tenant_id", "hold_id"]))
        breaches.functions.append(.init(name: "wallet.release_all", arguments: "p_agent uuid", argumentNames: ["p_agent"],
                                        source: "UPDATE wallet.holds SET status = 'voided'"))
        breaches.functions.append(.init(name: "wallet.release_many", arguments: "p_groups jsonb", argumentNames: ["p_groups"],
                                        source: "PERFORM wallet.release_all(g.agent)"))
        #expect(DistributionRulesTests.violations(in: breaches) == [
            "wallet.loose: tenant_id may be null",
            "wallet.orphans: no tenant_id and not declared global",
            "wallet.entries: unique index entries_seq on [\"seq\"] without tenant_id",
            "identity.credentials: unique index credentials_subject on [\"subject_id\"] beside its name key digest",
            "wallet.entries: foreign key entries_hold to wallet.holds does not match tenant_id on both sides",
            "identity.providers: global table refers to tenant table wallet.holds (providers_hold)",
            "wallet.release_all(p_agent uuid): touches wallet.holds without a p_tenant argument",
            "wallet.release_many(p_groups jsonb): touches wallet.holds without a p_tenant argument",
        ])
    }

    /// Every rule checked against `catalog`; one line per breach, naming it.
    static func violations(in catalog: Catalog) -> [String] {
        var found: [String] = []
        let global = Set(referenceTables.keys).union(nameKeyedTables.keys).union(pairTables.keys)
        for declared in global.sorted() where catalog.tables[declared] == nil {
            found.append("\(declared): declared global but not in the catalog")
        }
        func isTenantTable(_ table: String) -> Bool {
            catalog.tables[table]?.tenantColumn == .notNull && !global.contains(table)
        }
        for (name, table) in catalog.tables.sorted(by: { $0.key < $1.key }) {
            if table.isMigrationsTable || global.contains(name) { continue }
            switch table.tenantColumn {
            case .absent: found.append("\(name): no tenant_id and not declared global")
            case .nullable: found.append("\(name): tenant_id may be null")
            case .notNull: break
            }
        }
        for index in catalog.uniqueIndexes {
            if let key = nameKeyedTables[index.table] {
                if index.columns != [key] {
                    found.append("\(index.table): unique index \(index.name) on \(index.columns) beside its name key \(key)")
                }
            } else if isTenantTable(index.table), !index.columns.contains("tenant_id") {
                found.append("\(index.table): unique index \(index.name) on \(index.columns) without tenant_id")
            }
        }
        for table in nameKeyedTables.keys.sorted() {
            if !catalog.uniqueIndexes.contains(where: { $0.table == table && $0.isPrimaryKey }) {
                found.append("\(table): no primary key on its name")
            }
        }
        for key in catalog.foreignKeys {
            let fromTenant = isTenantTable(key.from), toTenant = isTenantTable(key.to)
            if fromTenant && toTenant {
                let fromAt = key.fromColumns.firstIndex(of: "tenant_id"), toAt = key.toColumns.firstIndex(of: "tenant_id")
                if fromAt == nil || fromAt != toAt {
                    found.append("\(key.from): foreign key \(key.name) to \(key.to) does not match tenant_id on both sides")
                }
            } else if toTenant {
                found.append("\(key.from): global table refers to tenant table \(key.to) (\(key.name))")
            }
        }
        // What each function touches: the tenant tables it names, and those of the functions it calls.
        var touches: [String: Set<String>] = [:]
        for function in catalog.functions {
            touches[function.name] = Set(catalog.tables.keys.filter { isTenantTable($0) && function.mentions($0) })
        }
        var grew = true
        while grew {
            grew = false
            for caller in catalog.functions {
                for callee in catalog.functions where callee.name != caller.name && caller.calls(callee.name) {
                    let before = touches[caller.name, default: []].count
                    touches[caller.name, default: []].formUnion(touches[callee.name, default: []])
                    grew = grew || touches[caller.name, default: []].count != before
                }
            }
        }
        for function in catalog.functions where crossTenantFunctions[function.name] == nil && rowTriggerFunctions[function.name] == nil {
            let touched = touches[function.name, default: []].sorted()
            guard !touched.isEmpty else { continue }
            if !function.argumentNames.contains(where: { $0 == "p_tenant" || $0 == "p_tenant_id" }) {
                found.append("\(function.name)(\(function.arguments)): touches \(touched.joined(separator: ", ")) without a p_tenant argument")
            }
        }
        for name in crossTenantFunctions.keys.sorted() where !catalog.functions.contains(where: { $0.name == name }) {
            found.append("\(name): declared cross-tenant but not in the catalog")
        }
        return found
    }
}

/// What `DistributionRulesTests` reads of the catalog, by `schema.name`.
struct Catalog {
    enum TenantColumn { case absent, nullable, notNull }

    struct Table {
        var tenantColumn: TenantColumn
        var isMigrationsTable: Bool
    }

    struct UniqueIndex {
        var table: String
        var name: String
        var columns: [String]
        var isPrimaryKey: Bool
    }

    struct ForeignKey {
        var name: String
        var from: String
        var fromColumns: [String]
        var to: String
        var toColumns: [String]
    }

    struct Function {
        var name: String
        var arguments: String
        var argumentNames: [String]
        var source: String

        /// Whether the body names `table` (`schema.name`, or the bare name for
        /// schemas whose functions run with the schema on the search path).
        func mentions(_ table: String) -> Bool {
            let parts = table.split(separator: ".", maxSplits: 1).map(String.init)
            let qualified = "\\b\(parts[0])\\.\(parts[1])\\b"
            let bare = "(?<![.\\w])\(parts[1])\\b"
            let pattern = name.hasPrefix(parts[0] + ".") ? "\(qualified)|\(bare)" : qualified
            return source.range(of: pattern, options: .regularExpression) != nil
        }

        /// Whether the body calls `function` (`schema.name(`).
        func calls(_ function: String) -> Bool {
            source.range(of: "\\b\(function.replacingOccurrences(of: ".", with: "\\."))\\s*\\(", options: .regularExpression) != nil
        }
    }

    var tables: [String: Table] = [:]
    var uniqueIndexes: [UniqueIndex] = []
    var foreignKeys: [ForeignKey] = []
    var functions: [Function] = []

    static func read(databaseURL: String, schemas: [String]) async throws -> Catalog {
        let pool = PostgresPool(
            configuration: TestDatabase.configuration(url: databaseURL, size: 1, applicationName: "purser-catalog-read"),
            logger: Logger(label: "catalog", level: .error))
        return try await using(pool, cleanup: { await $0.close() }) { pool in
            try await pool.withConnection { connection in
                var catalog = Catalog()
                let list = "{" + schemas.joined(separator: ",") + "}"
                for row in try connection.query("""
                    SELECT n.nspname || '.' || c.relname,
                           coalesce((SELECT CASE WHEN a.attnotnull THEN 'not_null' ELSE 'nullable' END
                                       FROM pg_attribute a
                                      WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped), 'absent')
                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[])
                    """, [list]) {
                    let name = try row.decode(String.self, at: 0)
                    let column: TenantColumn = switch try row.decode(String.self, at: 1) {
                    case "not_null": .notNull
                    case "nullable": .nullable
                    default: .absent
                    }
                    catalog.tables[name] = Table(tenantColumn: column, isMigrationsTable: name.hasSuffix(".schema_migrations"))
                }
                for row in try connection.query("""
                    SELECT n.nspname || '.' || c.relname, i.relname, x.indisprimary,
                           coalesce((SELECT string_agg(coalesce(a.attname, 'expression'), ',' ORDER BY k.ord)
                                       FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                                       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum), '')
                      FROM pg_index x
                      JOIN pg_class c ON c.oid = x.indrelid
                      JOIN pg_class i ON i.oid = x.indexrelid
                      JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE x.indisunique AND n.nspname = ANY($1::text[])
                    """, [list]) {
                    catalog.uniqueIndexes.append(UniqueIndex(
                        table: try row.decode(String.self, at: 0), name: try row.decode(String.self, at: 1),
                        columns: try row.decode(String.self, at: 3).split(separator: ",").map(String.init),
                        isPrimaryKey: try row.decode(Bool.self, at: 2)))
                }
                for row in try connection.query("""
                    SELECT k.conname,
                           sn.nspname || '.' || s.relname,
                           (SELECT string_agg(a.attname, ',' ORDER BY u.ord)
                              FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
                              JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum),
                           tn.nspname || '.' || t.relname,
                           (SELECT string_agg(a.attname, ',' ORDER BY u.ord)
                              FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, ord)
                              JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum)
                      FROM pg_constraint k
                      JOIN pg_class s ON s.oid = k.conrelid JOIN pg_namespace sn ON sn.oid = s.relnamespace
                      JOIN pg_class t ON t.oid = k.confrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
                     WHERE k.contype = 'f' AND sn.nspname = ANY($1::text[])
                    """, [list]) {
                    catalog.foreignKeys.append(ForeignKey(
                        name: try row.decode(String.self, at: 0),
                        from: try row.decode(String.self, at: 1),
                        fromColumns: try row.decode(String.self, at: 2).split(separator: ",").map(String.init),
                        to: try row.decode(String.self, at: 3),
                        toColumns: try row.decode(String.self, at: 4).split(separator: ",").map(String.init)))
                }
                for row in try connection.query("""
                    SELECT n.nspname || '.' || p.proname, pg_get_function_identity_arguments(p.oid),
                           coalesce(array_to_string(p.proargnames, ','), ''), p.prosrc
                      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = ANY($1::text[])
                    """, [list]) {
                    catalog.functions.append(Function(
                        name: try row.decode(String.self, at: 0), arguments: try row.decode(String.self, at: 1),
                        argumentNames: try row.decode(String.self, at: 2).split(separator: ",").map(String.init),
                        source: try row.decode(String.self, at: 3)))
                }
                return catalog
            }
        }
    }
}

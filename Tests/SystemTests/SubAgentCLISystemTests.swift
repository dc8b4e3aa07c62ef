import Foundation
import Testing

/// `purser agents create-sub`, `agents tree` and the parent-to-child wallet
/// moves against the real executables: an agent funds a child from its own
/// balance, the child a grandchild, the tree shows them indented with their
/// balances, and revoking the child returns every micro to its parent.
@Suite struct SubAgentCLISystemTests {
    @Test(.timeLimit(.minutes(5))) func anAgentBuildsAndReadsItsTreeThroughTheCLI() async throws {
        try await Deployment.withServing(Self.story)
    }

    static func story(_ deployment: Deployment) async throws {
        func run(_ arguments: [String], _ environment: [String: String]) async throws -> CommandResult {
            try await deployment.cliJSON(arguments, environment)
        }
        func ok(_ arguments: [String], _ environment: [String: String]) async throws -> [String: Any] {
            try await deployment.cliOK(arguments, environment)
        }
        func available(_ agent: String, _ environment: [String: String]) async throws -> Int64? {
            (try await ok(["wallet", "balance", "--agent", agent], environment)["available_micros"] as? NSNumber)?.int64Value
        }
        let certificate = deployment.cliCertificate
        let operatorSecret = try #require(try await ok(["admin", "bootstrap", "--label", "tree"], certificate)["secret"] as? String)
        let asOperator = ["PURSER_SECRET": operatorSecret]
        let suffix = String(UUID().uuidString.prefix(8)).lowercased()
        let tenantID = try #require(
            try await ok(["admin", "tenants", "create", "--slug", "tree-\(suffix)", "--name", "Tree"], asOperator)["id"] as? String)
        let asAdmin = ["PURSER_SECRET": try #require(
            try await ok(["keys", "create", "--tenant", tenantID, "--role", "admin"], asOperator)["secret"] as? String)]
        _ = try await ok(["wallet", "fund", "--amount", "10", "--reference", "wire-\(suffix)"], asAdmin)
        let root = try await ok(["agents", "create", "--handle", "root-\(suffix)"], asAdmin)
        let rootID = try #require((root["agent"] as? [String: Any])?["id"] as? String)
        let asRoot = ["PURSER_SECRET": try #require(root["secret"] as? String)]
        _ = try await ok(["wallet", "allocate", "--agent", rootID, "--amount", "5"], asAdmin)

        // The root agent makes a funded child; the child makes a grandchild from its own budget.
        let kid = try await ok(["agents", "create-sub", "--parent", rootID, "--handle", "kid-\(suffix)", "--budget", "2"], asRoot)
        let kidAgent = try #require(kid["agent"] as? [String: Any])
        let kidID = try #require(kidAgent["id"] as? String)
        #expect(kidAgent["parent_agent_id"] as? String == rootID)
        #expect((kid["budget_micros"] as? NSNumber)?.int64Value == 2_000_000)
        #expect((kid["email"] as? String)?.hasPrefix("kid-\(suffix)") == true, "\(kid)")
        let asKid = ["PURSER_SECRET": try #require(kid["secret"] as? String)]
        let grandkid = try await ok(["agents", "create-sub", "--parent", kidID, "--handle", "grandkid-\(suffix)", "--budget", "0.5"], asKid)
        let grandkidID = try #require((grandkid["agent"] as? [String: Any])?["id"] as? String)
        #expect((grandkid["agent"] as? [String: Any])?["depth"] as? NSNumber == 2)

        // A budget beyond the parent's available balance is refused and creates nothing.
        let rich = try await run(["agents", "create-sub", "--parent", rootID, "--handle", "rich-\(suffix)", "--budget", "100"], asRoot)
        #expect(rich.status == 1)
        #expect(((try? rich.json())?["error"] as? [String: Any])?["reason"] as? String == "insufficient_funds", "\(rich)")

        // Moves between a parent and its descendants.
        _ = try await ok(["wallet", "allocate", "--agent", kidID, "--from-agent", rootID, "--amount", "1"], asRoot)
        _ = try await ok(["wallet", "reclaim", "--agent", grandkidID, "--to-agent", kidID, "--amount", "0.25"], asKid)

        // The tree: the root agent's own by default, the admin's for a named agent; indented, with balances.
        let tree = try await ok(["agents", "tree"], asRoot)
        let nodes = try #require(tree["agents"] as? [[String: Any]])
        #expect(nodes.map { $0["handle"] as? String } == ["root-\(suffix)", "kid-\(suffix)", "grandkid-\(suffix)"])
        #expect(nodes.map { ($0["level"] as? NSNumber)?.intValue } == [0, 1, 2])
        #expect(nodes.map { ($0["available_micros"] as? NSNumber)?.int64Value } == [2_000_000, 2_750_000, 250_000])
        let text = try await deployment.purser(["agents", "tree", "--agent", rootID], asAdmin)
        #expect(text.status == 0 && text.stdout.contains("\n    grandkid-\(suffix)  active"), "\(text)")
        // A child sees its own subtree, never its parent's.
        let kidTree = try await ok(["agents", "tree"], asKid)
        #expect((kidTree["agents"] as? [[String: Any]])?.map { $0["handle"] as? String } == ["kid-\(suffix)", "grandkid-\(suffix)"])
        let upward = try await run(["agents", "tree", "--agent", rootID], asKid)
        #expect(upward.status == 1)
        // A parent reads its descendant's entries (the moves of its budget); the descendant never reads its parent's.
        let kinds = try #require(try await ok(["wallet", "entries", "--account", grandkidID], asRoot)["entries"] as? [[String: Any]])
        #expect(kinds.compactMap { $0["kind"] as? String }.sorted() == ["delegate", "return"], "\(kinds)")
        #expect(try await run(["wallet", "entries", "--account", rootID], asKid).status == 1)

        // Revoking the child revokes the grandchild too; every unspent micro returns to the root agent.
        let revoked = try await ok(["agents", "revoke", "--agent", kidID, "--reason", "done"], asRoot)
        #expect(revoked["revoked_descendant_ids"] as? [String] == [grandkidID])
        #expect(try await available(rootID, asAdmin) == 5_000_000)
        #expect(try await available(grandkidID, asAdmin) == 0)
    }
}

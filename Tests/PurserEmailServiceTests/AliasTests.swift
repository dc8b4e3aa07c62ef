import PurserAPI
import PurserEmailService
import PurserRPC
import Testing

/// Alias management over RPC: primary addresses, custom and random aliases,
/// enable/disable, and revocation through Identity's DisableAgent.
@Suite("Aliases")
struct AliasTests {
    @Test func primaryAddressIsCreatedOnFirstListAndUsesTheTenantDomain() async throws {
        try await withSystem("alias_primary") { system in
            let (tenant, adminToken) = try await system.createTenant(slug: "corp", emailDomain: "Mail.Corp.Example")
            let (agent, agentToken) = try await system.createAgent(tenantID: tenant.id, handle: "scout", adminToken: adminToken)
            let listed = try await system.call(
                EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: tenant.id), token: agentToken)
            #expect(listed.aliases.map(\.address) == ["scout@mail.corp.example"])
            #expect(listed.aliases.first?.kind == .primary)
            #expect(listed.aliases.first?.status == .enabled)
            let again = try await system.call(
                EmailAliasMethods.createAlias, CreateAliasRequest(tenantID: tenant.id, agentID: agent.id), token: adminToken)
            #expect(again.id == listed.aliases.first?.id)
        }
    }

    @Test func tenantsSharingTheDefaultDomainGetDistinctAddresses() async throws {
        try await withSystem("alias_shared_domain") { system in
            let first = try await system.mailbox(slug: "alpha", handle: "helper")
            let second = try await system.mailbox(slug: "beta", handle: "helper")
            #expect(first.primary.address == "helper@agents.test")
            #expect(second.primary.address == "helper.beta@agents.test")
            #expect(try await SMTPInterop.send(port: system.smtpPort, to: [second.primary.address], subject: "to beta").ok)
            #expect(try await system.waitForInbox(second, count: 1).map(\.subject) == ["to beta"])
            #expect(try await system.inbox(first).isEmpty)
        }
    }

    @Test func customAndRandomAliasesReceiveMail() async throws {
        try await withSystem("alias_custom_random") { system in
            let mailbox = try await system.mailbox(slug: "multi", handle: "many")
            let custom = try await system.call(
                EmailAliasMethods.createAlias,
                CreateAliasRequest(tenantID: mailbox.tenant.id, agentID: mailbox.agent.id, kind: .custom, localPart: "Receipts+Shop"),
                token: mailbox.agentToken)
            #expect(custom.address == "receipts+shop@agents.test")
            #expect(custom.kind == .custom)
            let random = try await system.call(
                EmailAliasMethods.createAlias,
                CreateAliasRequest(tenantID: mailbox.tenant.id, agentID: mailbox.agent.id, kind: .random),
                token: mailbox.adminToken)
            #expect(random.kind == .random)
            #expect(random.address.hasSuffix("@agents.test"))
            #expect(random.address.count == AliasAddress.randomLength + "@agents.test".count)

            let result = try await SMTPInterop.send(port: system.smtpPort, to: [custom.address, random.address], subject: "both")
            #expect(result.ok)
            let messages = try await system.waitForInbox(mailbox, count: 2)
            #expect(Set(messages.map(\.recipient)) == [custom.address, random.address])
            let onlyCustom = try await system.call(
                EmailAliasMethods.listMessages, ListMessagesRequest(tenantID: mailbox.tenant.id, aliasID: custom.id),
                token: mailbox.agentToken)
            #expect(onlyCustom.messages.map(\.recipient) == [custom.address])

            let all = try await system.call(
                EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: mailbox.tenant.id), token: mailbox.adminToken)
            #expect(all.aliases.count == 3)
        }
    }

    @Test func takenAndMalformedLocalPartsAreRefused() async throws {
        try await withSystem("alias_refused") { system in
            let first = try await system.mailbox(slug: "one", handle: "first")
            let second = try await system.mailbox(slug: "two", handle: "second")
            _ = try await system.call(
                EmailAliasMethods.createAlias,
                CreateAliasRequest(tenantID: first.tenant.id, agentID: first.agent.id, kind: .custom, localPart: "sales"),
                token: first.agentToken)
            let taken = await failure {
                _ = try await system.call(
                    EmailAliasMethods.createAlias,
                    CreateAliasRequest(tenantID: second.tenant.id, agentID: second.agent.id, kind: .custom, localPart: "sales"),
                    token: second.agentToken)
            }
            #expect(taken?.0 == .alreadyExists)
            #expect(taken?.1 == "address_taken")
            for bad in [".dot", "a..b", "trailing.", "sp ace", "ünï", String(repeating: "a", count: 65)] {
                let refused = await failure {
                    _ = try await system.call(
                        EmailAliasMethods.createAlias,
                        CreateAliasRequest(tenantID: first.tenant.id, agentID: first.agent.id, kind: .custom, localPart: bad),
                        token: first.agentToken)
                }
                #expect(refused?.0 == .invalidArgument, "\(bad)")
                #expect(refused?.1 == "local_part_invalid", "\(bad)")
            }
            let badID = await failure {
                _ = try await system.call(
                    EmailAliasMethods.createAlias, CreateAliasRequest(tenantID: first.tenant.id, agentID: "not-a-uuid"),
                    token: first.adminToken)
            }
            #expect(badID?.0 == .invalidArgument)
        }
    }

    @Test func anotherAgentCannotCreateOrDisableAliasesOfAnAgent() async throws {
        try await withSystem("alias_isolation") { system in
            let mailbox = try await system.mailbox(slug: "iso", handle: "owner")
            let (_, otherToken) = try await system.createAgent(
                tenantID: mailbox.tenant.id, handle: "intruder", adminToken: mailbox.adminToken)
            let create = await failure {
                _ = try await system.call(
                    EmailAliasMethods.createAlias,
                    CreateAliasRequest(tenantID: mailbox.tenant.id, agentID: mailbox.agent.id, kind: .random), token: otherToken)
            }
            #expect(create?.0 == .notFound)
            let disable = await failure {
                _ = try await system.call(
                    EmailAliasMethods.disableAlias,
                    DisableAliasRequest(tenantID: mailbox.tenant.id, aliasID: mailbox.primary.id), token: otherToken)
            }
            #expect(disable?.0 == .notFound)
            let list = await failure {
                _ = try await system.call(
                    EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: mailbox.tenant.id, agentID: mailbox.agent.id),
                    token: otherToken)
            }
            #expect(list?.0 == .notFound)
        }
    }

    @Test func revocationThroughIdentityDisablesEveryAliasOfTheAgent() async throws {
        try await withSystem("alias_revocation") { system in
            let mailbox = try await system.mailbox(slug: "rev", handle: "doomed")
            let custom = try await system.call(
                EmailAliasMethods.createAlias,
                CreateAliasRequest(tenantID: mailbox.tenant.id, agentID: mailbox.agent.id, kind: .custom, localPart: "doomed-2"),
                token: mailbox.agentToken)
            #expect(try await SMTPInterop.send(port: system.smtpPort, to: [custom.address]).ok)

            let revoked = try await system.revokeAgent(
                tenantID: mailbox.tenant.id, agentID: mailbox.agent.id, adminToken: mailbox.adminToken)
            #expect(revoked.acknowledged.contains("email"), "pending: \(revoked.pending)")

            let aliases = try await system.call(
                EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: mailbox.tenant.id, agentID: mailbox.agent.id),
                token: mailbox.adminToken)
            #expect(aliases.aliases.count == 2)
            #expect(aliases.aliases.allSatisfy { $0.status == .disabled && $0.disabledReason == "agent_revoked" })

            let refused = try await SMTPInterop.send(port: system.smtpPort, to: [mailbox.primary.address, custom.address])
            #expect(refused.refusedCodes == [mailbox.primary.address: 550, custom.address: 550])

            let create = await failure {
                _ = try await system.call(
                    EmailAliasMethods.createAlias,
                    CreateAliasRequest(tenantID: mailbox.tenant.id, agentID: mailbox.agent.id, kind: .random),
                    token: mailbox.adminToken)
            }
            #expect(create?.0 == .failedPrecondition)
            #expect(create?.1 == "agent_revoked")
            let enable = await failure {
                _ = try await system.call(
                    EmailAliasMethods.enableAlias, EnableAliasRequest(tenantID: mailbox.tenant.id, aliasID: custom.id),
                    token: mailbox.adminToken)
            }
            #expect(enable?.1 == "agent_revoked")

            // A repeated notice is a no-op.
            let repeatNotice = AgentRevocationNotice(
                tenantID: mailbox.tenant.id, agentID: mailbox.agent.id, reason: "compromised", revokedAtUs: 1)
            let repeated = try await system.callAsService("identity", EmailAliasMethods.disableAgent, repeatNotice)
            #expect(repeated.disabledAliases == 0)
        }
    }

    @Test func onlyTheIdentityServiceMayDisableAnAgent() async throws {
        try await withSystem("alias_disable_agent_access") { system in
            let mailbox = try await system.mailbox(slug: "guard", handle: "kept")
            let notice = AgentRevocationNotice(
                tenantID: mailbox.tenant.id, agentID: mailbox.agent.id, reason: "forged", revokedAtUs: 0)
            let asWallet = await failure { _ = try await system.callAsService("wallet", EmailAliasMethods.disableAgent, notice) }
            #expect(asWallet?.0 == .permissionDenied)
            let asAdmin = await failure {
                _ = try await system.call(EmailAliasMethods.disableAgent, notice, token: mailbox.adminToken)
            }
            #expect(asAdmin?.0 == .permissionDenied)
            let aliases = try await system.call(
                EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: mailbox.tenant.id), token: mailbox.agentToken)
            #expect(aliases.aliases.allSatisfy { $0.status == .enabled })

            let walletCreates = await failure {
                _ = try await system.callAsService(
                    "wallet", EmailAliasMethods.createAlias,
                    CreateAliasRequest(tenantID: mailbox.tenant.id, agentID: mailbox.agent.id, kind: .random))
            }
            #expect(walletCreates?.0 == .permissionDenied)
            let identityLists = try await system.callAsService(
                "identity", EmailAliasMethods.listAliases,
                ListAliasesRequest(tenantID: mailbox.tenant.id, agentID: mailbox.agent.id))
            #expect(identityLists.aliases.map(\.id) == [mailbox.primary.id])

            let disabled = try await system.callAsService("identity", EmailAliasMethods.disableAgent, notice)
            #expect(disabled.disabledAliases == 1)
        }
    }
}

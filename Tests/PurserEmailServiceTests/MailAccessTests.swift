import Foundation
import PurserAPI
import PurserEmailService
import PurserPostgres
import PurserRPC
import Testing

/// Who may read, page through and delete mail, and how long it is kept.
@Suite("Mail access")
struct MailAccessTests {
    @Test func anotherAgentOrTenantCannotReadTheMail() async throws {
        try await withSystem("access_isolation") { system in
            let owner = try await system.mailbox(slug: "home", handle: "owner")
            let other = try await system.mailbox(slug: "away", handle: "stranger")
            let (_, siblingToken) = try await system.createAgent(
                tenantID: owner.tenant.id, handle: "sibling", adminToken: owner.adminToken)
            #expect(try await SMTPInterop.send(port: system.smtpPort, to: [owner.primary.address], subject: "private").ok)
            let messageID = try #require(try await system.waitForInbox(owner, count: 1).first?.id)

            for token in [siblingToken, other.agentToken] {
                let get = await failure {
                    _ = try await system.call(
                        EmailAliasMethods.getMessage, GetMessageRequest(tenantID: owner.tenant.id, messageID: messageID),
                        token: token)
                }
                #expect(get?.0 == .notFound)
                let list = await failure {
                    _ = try await system.call(
                        EmailAliasMethods.listMessages,
                        ListMessagesRequest(tenantID: owner.tenant.id, agentID: owner.agent.id), token: token)
                }
                #expect(list?.0 == .notFound)
                let delete = await failure {
                    _ = try await system.call(
                        EmailAliasMethods.deleteMessage, DeleteMessageRequest(tenantID: owner.tenant.id, messageID: messageID),
                        token: token)
                }
                #expect(delete?.0 == .notFound)
            }
            // The other tenant's agent asking in its own tenant does not find the id either.
            let crossTenant = await failure {
                _ = try await system.call(
                    EmailAliasMethods.getMessage, GetMessageRequest(tenantID: other.tenant.id, messageID: messageID),
                    token: other.agentToken)
            }
            #expect(crossTenant?.0 == .notFound)
            // The sibling's own inbox is empty; the owner still has the message.
            #expect(try await system.call(
                EmailAliasMethods.listMessages, ListMessagesRequest(tenantID: owner.tenant.id), token: siblingToken
            ).messages.isEmpty)
            #expect(try await system.inbox(owner).map(\.id) == [messageID])
            // A time past the last representable one is refused, not a database error.
            let far = await failure {
                _ = try await system.call(
                    EmailAliasMethods.listMessages, ListMessagesRequest(tenantID: owner.tenant.id, sinceUs: .max), token: owner.agentToken)
            }
            #expect(far?.0 == .invalidArgument)
        }
    }

    @Test func listingAnotherTenantsOrAnUnknownAgentAnswersNotFoundLikeEveryOtherMethod() async throws {
        try await withSystem("access_foreign_ids") { system in
            let home = try await system.mailbox(slug: "home", handle: "owner", adminCanReadMail: true)
            let away = try await system.mailbox(slug: "away", handle: "stranger")
            // A page token the service issued, from a listing of two aliases one at a time.
            _ = try await system.call(
                EmailAliasMethods.createAlias, CreateAliasRequest(tenantID: home.tenant.id, agentID: home.agent.id, kind: .random),
                token: home.adminToken)
            let firstPage = try await system.call(
                EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: home.tenant.id, agentID: home.agent.id, pageSize: 1),
                token: home.adminToken)
            let pageToken = firstPage.nextPageToken
            #expect(!pageToken.isEmpty)

            for (what, agentID) in [("another tenant's agent", away.agent.id), ("an unknown agent", UUID().uuidString.lowercased())] {
                let create = await failure {
                    _ = try await system.call(
                        EmailAliasMethods.createAlias, CreateAliasRequest(tenantID: home.tenant.id, agentID: agentID, kind: .random),
                        token: home.adminToken)
                }
                #expect(create?.0 == .notFound && create?.1 == "not_found", "CreateAlias for \(what): \(String(describing: create))")
                let messages = await failure {
                    _ = try await system.call(
                        EmailAliasMethods.listMessages, ListMessagesRequest(tenantID: home.tenant.id, agentID: agentID),
                        token: home.adminToken)
                }
                #expect(messages?.0 == .notFound && messages?.1 == "not_found", "ListMessages for \(what): \(String(describing: messages))")
                let aliases = await failure {
                    _ = try await system.call(
                        EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: home.tenant.id, agentID: agentID),
                        token: home.adminToken)
                }
                #expect(aliases?.0 == .notFound && aliases?.1 == "not_found", "ListAliases for \(what): \(String(describing: aliases))")
                let laterPage = await failure {
                    _ = try await system.call(
                        EmailAliasMethods.listAliases,
                        ListAliasesRequest(tenantID: home.tenant.id, agentID: agentID, pageSize: 1, pageToken: pageToken),
                        token: home.adminToken)
                }
                #expect(
                    laterPage?.0 == .notFound && laterPage?.1 == "not_found",
                    "ListAliases page 2 for \(what): \(String(describing: laterPage))")
            }
            // The tenant's own agent still lists (an empty inbox is OK, not NOT_FOUND).
            #expect(try await system.call(
                EmailAliasMethods.listMessages, ListMessagesRequest(tenantID: home.tenant.id, agentID: home.agent.id),
                token: home.adminToken
            ).messages.isEmpty)
        }
    }

    @Test func tenantAdminsReadMailOnlyWhenTheTenantAllowsIt() async throws {
        try await withSystem("access_admin") { system in
            let closed = try await system.mailbox(slug: "closed", handle: "quiet")
            let open = try await system.mailbox(slug: "open", handle: "loud", adminCanReadMail: true)
            #expect(try await SMTPInterop.send(port: system.smtpPort, to: [closed.primary.address, open.primary.address]).ok)
            let closedID = try #require(try await system.waitForInbox(closed, count: 1).first?.id)
            let openID = try #require(try await system.waitForInbox(open, count: 1).first?.id)

            let denied = await failure {
                _ = try await system.call(
                    EmailAliasMethods.listMessages, ListMessagesRequest(tenantID: closed.tenant.id, agentID: closed.agent.id),
                    token: closed.adminToken)
            }
            #expect(denied?.0 == .permissionDenied)
            #expect(denied?.1 == "admin_mail_access_disabled")
            let deniedGet = await failure {
                _ = try await system.call(
                    EmailAliasMethods.getMessage, GetMessageRequest(tenantID: closed.tenant.id, messageID: closedID),
                    token: closed.adminToken)
            }
            #expect(deniedGet?.0 == .permissionDenied)
            // Listing aliases stays allowed for the admin.
            let aliases = try await system.call(
                EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: closed.tenant.id), token: closed.adminToken)
            #expect(aliases.aliases.map(\.address) == [closed.primary.address])

            let listed = try await system.call(
                EmailAliasMethods.listMessages, ListMessagesRequest(tenantID: open.tenant.id, agentID: open.agent.id),
                token: open.adminToken)
            #expect(listed.messages.map(\.id) == [openID])
            let read = try await system.call(
                EmailAliasMethods.getMessage, GetMessageRequest(tenantID: open.tenant.id, messageID: openID),
                token: open.adminToken)
            #expect(read.agentID == open.agent.id)
            // The open tenant's admin still cannot see the closed tenant's mail.
            let foreign = await failure {
                _ = try await system.call(
                    EmailAliasMethods.getMessage, GetMessageRequest(tenantID: closed.tenant.id, messageID: closedID),
                    token: open.adminToken)
            }
            #expect(foreign?.0 == .notFound)
        }
    }

    @Test func messagesArePagedNewestFirstAndFilteredBySince() async throws {
        try await withSystem("access_paging") { system in
            let mailbox = try await system.mailbox(slug: "pages", handle: "reader")
            for index in 0..<5 {
                #expect(try await SMTPInterop.send(port: system.smtpPort, to: [mailbox.primary.address], subject: "m\(index)").ok)
            }
            var subjects: [String] = []
            var token = ""
            var pages = 0
            repeat {
                let page = try await system.call(
                    EmailAliasMethods.listMessages,
                    ListMessagesRequest(tenantID: mailbox.tenant.id, pageSize: 2, pageToken: token), token: mailbox.agentToken)
                subjects += page.messages.map(\.subject)
                token = page.nextPageToken
                pages += 1
            } while !token.isEmpty && pages < 10
            #expect(subjects == ["m4", "m3", "m2", "m1", "m0"])
            #expect(pages == 3)

            let all = try await system.inbox(mailbox)
            let since = all[1].receivedAtUs
            let recent = try await system.call(
                EmailAliasMethods.listMessages, ListMessagesRequest(tenantID: mailbox.tenant.id, sinceUs: since),
                token: mailbox.agentToken)
            #expect(recent.messages.map(\.subject) == ["m4", "m3"])

            let badToken = await failure {
                _ = try await system.call(
                    EmailAliasMethods.listMessages, ListMessagesRequest(tenantID: mailbox.tenant.id, pageToken: "zz"),
                    token: mailbox.agentToken)
            }
            #expect(badToken?.1 == "page_token_invalid")
        }
    }

    @Test func deletedMessagesAreGone() async throws {
        try await withSystem("access_delete") { system in
            let mailbox = try await system.mailbox(slug: "trash", handle: "tidy")
            #expect(try await SMTPInterop.send(port: system.smtpPort, to: [mailbox.primary.address]).ok)
            let messageID = try #require(try await system.waitForInbox(mailbox, count: 1).first?.id)
            _ = try await system.call(
                EmailAliasMethods.deleteMessage, DeleteMessageRequest(tenantID: mailbox.tenant.id, messageID: messageID),
                token: mailbox.agentToken)
            #expect(try await system.inbox(mailbox).isEmpty)
            let again = await failure {
                _ = try await system.call(
                    EmailAliasMethods.getMessage, GetMessageRequest(tenantID: mailbox.tenant.id, messageID: messageID),
                    token: mailbox.agentToken)
            }
            #expect(again?.0 == .notFound)
        }
    }

    @Test func theRetentionSweeperDeletesOnlyExpiredMessages() async throws {
        try await withSystem("access_retention") { system in
            let mailbox = try await system.mailbox(slug: "keep", handle: "hoarder")
            for subject in ["old", "new"] {
                #expect(try await SMTPInterop.send(port: system.smtpPort, to: [mailbox.primary.address], subject: subject).ok)
            }
            _ = try await system.waitForInbox(mailbox, count: 2)
            let tenantID = mailbox.tenant.id
            try await system.emailHost.pool.withConnection { connection in
                _ = try connection.query(
                    "UPDATE email.messages SET received_at = now() - interval '31 days' WHERE tenant_id = $1 AND subject = 'old'",
                    [tenantID])
            }
            let sweeper = RetentionSweeper(
                store: system.email.messages, retention: .seconds(30 * 86_400), interval: .seconds(3_600),
                logger: EmailSystem.logger, batchSize: 1)
            #expect(try await sweeper.sweep() == 1)
            #expect(try await system.inbox(mailbox).map(\.subject) == ["new"])
            #expect(try await sweeper.sweep() == 0)
        }
    }
}

import Foundation
import PurserAPI
import PurserEmailService
import PurserTestSupport
import Testing

/// Inbound mail from real SMTP clients (Python's smtplib and raw sockets)
/// through the real listener into PostgreSQL, read back over RPC.
@Suite("SMTP delivery")
struct SMTPDeliveryTests {
    @Test func smtplibMessageReachesTheAgentWithSubjectAndBodyIntact() async throws {
        try await withSystem("smtp_intact") { system in
            let mailbox = try await system.mailbox(slug: "acme", handle: "buyer")
            #expect(mailbox.primary.address == "buyer@agents.test")
            let body = "First line\n.hidden line that starts with a dot\n..two dots\n.\nLast line\n"
            let bodyFile = FileManager.default.temporaryDirectory.appendingPathComponent("body-\(UUID().uuidString).txt")
            try body.write(to: bodyFile, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: bodyFile) }
            let subject = "Grüße aus Köln — 日本語 ✓"

            let result = try await SMTPInterop.send(
                port: system.smtpPort, to: [mailbox.primary.address], subject: subject, bodyFile: bodyFile.path)
            #expect(result.ok, "\(result.json)")
            #expect(result.refusedCodes.isEmpty)

            let messages = try await system.waitForInbox(mailbox, count: 1)
            let summary = try #require(messages.first)
            #expect(messages.count == 1)
            #expect(summary.subject == subject)
            #expect(summary.recipient == "buyer@agents.test")
            #expect(summary.envelopeFrom == "sender@example.org")
            #expect(summary.clientName == "interop.test")
            #expect(summary.raw.isEmpty && summary.plainText.isEmpty)
            let message = try await system.call(
                EmailAliasMethods.getMessage, GetMessageRequest(tenantID: mailbox.tenant.id, messageID: summary.id),
                token: mailbox.agentToken)
            #expect(message.subject == subject)
            #expect(message.plainText == body)
            #expect(message.from == "sender@example.org")
            #expect(message.messageID.hasPrefix("<interop-"))
            #expect(message.headers.contains { $0.name == "Subject" && $0.value.hasPrefix("=?utf-8?") })
            #expect(message.sizeBytes == Int64(message.raw.count))
            #expect(String(decoding: message.raw, as: UTF8.self).contains("\r\n.hidden line that starts with a dot\r\n"))
            #expect(!message.receivedOverTLS)

            let aliases = try await system.call(
                EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: mailbox.tenant.id), token: mailbox.agentToken)
            let counted = try #require(aliases.aliases.first { $0.id == mailbox.primary.id })
            #expect(counted.receivedCount == 1)
            #expect(counted.lastReceivedAtUs >= message.receivedAtUs - 1_000_000)
        }
    }

    /// `email.received` is written by the transaction that stores the mail and
    /// relayed to Identity, which keeps it once, with the message's facts.
    @Test func aStoredMailWritesOneEmailReceivedEventThatReachesIdentity() async throws {
        try await withSystem("smtp_event") { system in
            let mailbox = try await system.mailbox(slug: "events", handle: "inbox")
            let result = try await SMTPInterop.send(port: system.smtpPort, to: [mailbox.primary.address], subject: "invoice 42")
            #expect(result.ok, "\(result.json)")
            let summary = try #require(try await system.waitForInbox(mailbox, count: 1).first)
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(20)
            var events: [(type: String, agent: String, data: String)] = []
            while clock.now < deadline {
                events = try await system.identityHost.pool.withConnection { connection in
                    try connection.query(
                        "SELECT type, agent_id::text, data::text FROM identity.events WHERE tenant_id = $1::uuid ORDER BY seq",
                        [mailbox.tenant.id]
                    ).map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(String.self, at: 2)) }
                }
                if !events.isEmpty { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event.type == "email.received" && event.agent == summary.agentID)
            #expect(event.data.contains(#""message_id": "\#(summary.id)""#), "\(event.data)")
            #expect(event.data.contains(#""subject": "invoice 42""#) && event.data.contains(#""recipient": "\#(mailbox.primary.address)""#))
            let relayed = try await system.emailHost.pool.withConnection { connection in
                try connection.query("SELECT count(*) FROM email.event_outbox WHERE relayed_at IS NOT NULL")[0].decode(Int64.self, at: 0)
            }
            #expect(relayed == 1)
        }
    }

    @Test func startTLSDeliveryWorksWithTheServiceCertificate() async throws {
        try await withSystem("smtp_starttls") { system in
            let mailbox = try await system.mailbox(slug: "secure", handle: "vault")
            let result = try await SMTPInterop.send(
                port: system.smtpPort, to: [mailbox.primary.address], subject: "over tls", startTLS: true, host: "localhost")
            #expect(result.ok, "\(result.json)")
            #expect(result["starttls"] as? Int == 220)
            #expect((result["esmtp_features"] as? [String])?.contains("starttls") == false)
            let large = try await SMTPInterop.send(
                port: system.smtpPort, to: [mailbox.primary.address], subject: "large over tls",
                size: EmailSystem.smtpMaxMessageSize - 4096, startTLS: true, host: "localhost")
            #expect(large.ok, "\(large.json)")
            let messages = try await system.waitForInbox(mailbox, count: 2)
            #expect(messages.map(\.subject) == ["large over tls", "over tls"])
            #expect(messages.allSatisfy { $0.receivedOverTLS })
            #expect((messages.first?.sizeBytes ?? 0) > Int64(EmailSystem.smtpMaxMessageSize - 4096))
        }
    }

    @Test func unknownAndDisabledRecipientsAreRefusedWith550() async throws {
        try await withSystem("smtp_550") { system in
            let mailbox = try await system.mailbox(slug: "refuse", handle: "picky")
            let unknown = try await SMTPInterop.send(port: system.smtpPort, to: ["nobody@agents.test"])
            #expect(!unknown.ok)
            #expect(unknown.refusedCodes["nobody@agents.test"] == 550)

            let disabled = try await system.call(
                EmailAliasMethods.disableAlias,
                DisableAliasRequest(tenantID: mailbox.tenant.id, aliasID: mailbox.primary.id), token: mailbox.agentToken)
            #expect(disabled.status == .disabled)
            #expect(disabled.disabledReason == "disabled")
            let refused = try await SMTPInterop.send(port: system.smtpPort, to: [mailbox.primary.address])
            #expect(refused.refusedCodes[mailbox.primary.address] == 550)
            let mixed = try await SMTPInterop.send(port: system.smtpPort, to: [mailbox.primary.address, "ghost@agents.test"])
            #expect(!mixed.ok)

            let enabled = try await system.call(
                EmailAliasMethods.enableAlias,
                EnableAliasRequest(tenantID: mailbox.tenant.id, aliasID: mailbox.primary.id), token: mailbox.agentToken)
            #expect(enabled.status == .enabled)
            #expect(enabled.rejectedCount == 2)
            let accepted = try await SMTPInterop.send(port: system.smtpPort, to: [mailbox.primary.address])
            #expect(accepted.ok, "\(accepted.json)")
            #expect(try await system.waitForInbox(mailbox, count: 1).count == 1)
        }
    }

    @Test func oversizedMessagesAreRefusedWith552() async throws {
        try await withSystem("smtp_552") { system in
            let mailbox = try await system.mailbox(slug: "big", handle: "small")
            // smtplib declares SIZE on MAIL FROM: refused before any data is sent.
            let declared = try await SMTPInterop.send(
                port: system.smtpPort, to: [mailbox.primary.address], size: EmailSystem.smtpMaxMessageSize * 2)
            #expect(!declared.ok)
            #expect(declared.code == 552)
            #expect(declared["kind"] as? String == "sender_refused")

            // Without SIZE the data itself overflows: 552 after the end marker, session still usable.
            let line = String(repeating: "y", count: 998) + "\r\n"
            let data = String(repeating: line, count: EmailSystem.smtpMaxMessageSize / line.utf8.count + 2)
            let script = "EHLO raw\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<\(mailbox.primary.address)>\r\nDATA\r\n"
                + "<WAIT 354>\r\nSubject: huge\r\n\r\n" + data + ".\r\nNOOP\r\nQUIT\r\n"
            let raw = try await SMTPInterop.raw(port: system.smtpPort, script: script)
            #expect(SMTPInterop.replyCodes(raw.replies) == [220, 250, 250, 250, 354, 552, 250, 221], "\(raw.replies)")
            #expect(raw.replies.hasSuffix("<EOF>"))
            #expect(try await system.inbox(mailbox).isEmpty)
        }
    }

    @Test func pipelinedCommandsAreAnsweredInOrder() async throws {
        try await withSystem("smtp_pipelined") { system in
            let mailbox = try await system.mailbox(slug: "pipe", handle: "fast")
            let script = "EHLO pipeline.test\r\nMAIL FROM:<p@example.org>\r\nRCPT TO:<\(mailbox.primary.address)>\r\n"
                + "RCPT TO:<missing@agents.test>\r\nVRFY fast\r\nDATA\r\nSubject: pipelined\r\n\r\nbody\r\n..stuffed\r\n.\r\n"
                + "RSET\r\nNOOP\r\nQUIT\r\n"
            let result = try await SMTPInterop.raw(port: system.smtpPort, script: script)
            #expect(
                SMTPInterop.replyCodes(result.replies) == [220, 250, 250, 250, 550, 502, 354, 250, 250, 250, 221],
                "\(result.replies)")
            #expect(result.replies.contains("250-PIPELINING"))
            #expect(result.replies.contains("250-SIZE \(EmailSystem.smtpMaxMessageSize)"))
            let messages = try await system.waitForInbox(mailbox, count: 1)
            let message = try await system.call(
                EmailAliasMethods.getMessage, GetMessageRequest(tenantID: mailbox.tenant.id, messageID: messages[0].id),
                token: mailbox.agentToken)
            #expect(message.plainText == "body\n.stuffed\n")
        }
    }

    @Test func anEncodedSubjectCannotForgeLinesInTheInboxListing() async throws {
        try await withSystem("smtp_header_injection") { system in
            let mailbox = try await system.mailbox(slug: "inject", handle: "target")
            let word = { (text: String) in "=?utf-8?b?" + Data(text.utf8).base64EncodedString() + "?=" }
            let script = "EHLO outside.test\r\nMAIL FROM:<o@example.org>\r\nRCPT TO:<\(mailbox.primary.address)>\r\nDATA\r\n"
                + "<WAIT 354>\r\nFrom: \(word("Eve\r\nX-Forged: 1")) <eve@example.org>\r\n"
                + "Subject: \(word("hi\r\nBcc: victim@x"))\r\nMessage-ID: <id\u{1B}[2J@example.org>\r\n\r\nbody\r\n.\r\nQUIT\r\n"
            let result = try await SMTPInterop.raw(port: system.smtpPort, script: script)
            #expect(SMTPInterop.replyCodes(result.replies) == [220, 250, 250, 250, 354, 250, 221], "\(result.replies)")

            let listed = try #require(try await system.waitForInbox(mailbox, count: 1).first)
            #expect(listed.subject == "hi Bcc: victim@x")
            let message = try await system.call(
                EmailAliasMethods.getMessage, GetMessageRequest(tenantID: mailbox.tenant.id, messageID: listed.id),
                token: mailbox.agentToken)
            #expect(message.subject == "hi Bcc: victim@x")
            #expect(message.from == "Eve X-Forged: 1 <eve@example.org>")
            #expect(message.messageID == "<id [2J@example.org>")
            let controls = { (text: String) in text.unicodeScalars.contains { $0.properties.generalCategory == .control } }
            #expect(![listed.subject, message.subject, message.from, message.to, message.messageID].contains(where: controls))
            #expect(!message.headers.contains { controls($0.value) })
        }
    }

    @Test func aSlowClientDoesNotHoldUpOthers() async throws {
        try await withSystem("smtp_slow") { system in
            let mailbox = try await system.mailbox(slug: "slow", handle: "patient")
            let script = "HELO slow.test\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<\(mailbox.primary.address)>\r\nDATA\r\n"
                + "Subject: slowly\r\n\r\ntrickled in\r\n.\r\nQUIT\r\n"
            // About 7 s of trickle, one byte every 50 ms; each byte keeps the idle timer from firing.
            let port = system.smtpPort
            let slow = Task { () throws -> (SMTPInterop.Result, ContinuousClock.Instant) in
                let result = try await SMTPInterop.raw(port: port, script: script, delayMilliseconds: 50, chunk: 1)
                return (result, ContinuousClock.now)
            }
            // The slow client is connected (and trickling) before the fast one starts.
            try await waitUntil { system.email.smtp.openConnections >= 1 }
            let fast = try await SMTPInterop.send(port: port, to: [mailbox.primary.address], subject: "quick")
            let fastEnd = ContinuousClock.now
            let (slowResult, slowEnd) = try await slow.value
            #expect(fast.ok)
            #expect(SMTPInterop.replyCodes(slowResult.replies) == [220, 250, 250, 250, 354, 250, 221], "\(slowResult.replies)")
            #expect(fastEnd < slowEnd, "the fast client had to wait for the slow one")
            let subjects = Set(try await system.waitForInbox(mailbox, count: 2).map(\.subject))
            #expect(subjects == ["quick", "slowly"])
        }
    }

    @Test func manyConcurrentClientsAreAllDelivered() async throws {
        try await withSystem("smtp_many") { system in
            let mailbox = try await system.mailbox(slug: "crowd", handle: "popular")
            let result = try await SMTPInterop.run([
                "many", "--port", "\(system.smtpPort)", "--count", "40", "--to", mailbox.primary.address,
            ])
            #expect(result["delivered"] as? Int == 40, "\(result.json)")
            let messages = try await system.waitForInbox(mailbox, count: 40)
            #expect(messages.count == 40)
            #expect(Set(messages.map(\.subject)).count == 40)
        }
    }

    @Test func aClientThatNeverSendsDataIsTimedOut() async throws {
        try await withSystem("smtp_timeout") { system in
            let mailbox = try await system.mailbox(slug: "idle", handle: "waiter")
            let script = "EHLO idle.test\r\nMAIL FROM:<i@example.org>\r\nRCPT TO:<\(mailbox.primary.address)>\r\n"
            let result = try await SMTPInterop.raw(port: system.smtpPort, script: script, readTimeout: 60)
            #expect(SMTPInterop.replyCodes(result.replies) == [220, 250, 250, 250, 421], "\(result.replies)")
            #expect(result.replies.contains("421 4.4.2"))
            #expect(result.replies.hasSuffix("<EOF>"))
            let timeout = Double(EmailSystem.smtpCommandTimeout.components.seconds)
            #expect(result.seconds >= timeout - 0.5 && result.seconds < timeout + 20)
            #expect(system.email.smtp.openConnections == 0)
        }
    }
}

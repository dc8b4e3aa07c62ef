import Foundation
import PurserEmailService
import Testing

/// Connection limits and the drain on shutdown, with raw sockets.
@Suite("SMTP lifecycle")
struct SMTPLifecycleTests {
    @Test func clientsBeyondTheConnectionLimitGet421() async throws {
        try await withSystem("smtp_limit", maxConnections: 2, commandTimeout: .seconds(30)) { system in
            let port = system.smtpPort
            let idle = (0..<2).map { _ in
                Task { try await SMTPInterop.raw(port: port, script: "EHLO idle.test\r\n", readTimeout: 120) }
            }
            try await waitUntil { system.email.smtp.openConnections == 2 }
            let refused = try await SMTPInterop.raw(port: port, script: "EHLO late.test\r\n")
            #expect(refused.replies.hasPrefix("421 4.7.0 Too many connections"), "\(refused.replies)")
            #expect(refused.replies.hasSuffix("<EOF>"))
            #expect(system.email.smtp.openConnections == 2)

            await system.email.smtp.shutdown()
            for client in idle {
                let result = try await client.value
                #expect(SMTPInterop.replyCodes(result.replies).first == 220)
                #expect(SMTPInterop.replyCodes(result.replies).last == 421, "\(result.replies)")
                #expect(result.replies.contains("421 4.3.2 Service shutting down"))
                #expect(result.replies.hasSuffix("<EOF>"))
            }
            #expect(system.email.smtp.openConnections == 0)
        }
    }

    @Test func aClientActiveLongerThanTheTimeoutIsNeverTimedOutWhileItKeepsSending() async throws {
        try await withSystem("smtp_active", commandTimeout: .seconds(2)) { system in
            // One byte every 100 ms: 4.6 s in all, no pause anywhere near the 2 s timeout.
            let script = "EHLO slow.test\r\n" + String(repeating: "NOOP\r\n", count: 4) + "QUIT\r\n"
            let result = try await SMTPInterop.raw(port: system.smtpPort, script: script, delayMilliseconds: 100, readTimeout: 60)
            #expect(SMTPInterop.replyCodes(result.replies) == [220, 250, 250, 250, 250, 250, 221], "\(result.replies)")
            #expect(!result.replies.contains("421"))
            #expect(result.seconds >= 4)
            try await waitUntil { system.email.smtp.openConnections == 0 }
        }
    }

    @Test func oneAddressCannotHoldMoreThanItsShareOfConnections() async throws {
        try await withSystem(
            "smtp_per_address", commandTimeout: .seconds(30), adjust: { $0.maxConnectionsPerAddress = 2 }
        ) { system in
            let port = system.smtpPort
            let first = try await SMTPSocket.connect(port: port, from: "127.0.0.1")
            let second = try await SMTPSocket.connect(port: port, from: "127.0.0.1")
            #expect(await first.reply().hasPrefix("220 "))
            #expect(await second.reply().hasPrefix("220 "))
            try await waitUntil { system.email.smtp.openConnections == 2 }

            let refused = try await SMTPSocket.connect(port: port, from: "127.0.0.1")
            #expect(await refused.readToEnd() == "421 4.7.0 Too many connections from your address, try again later\r\n<EOF>")
            let other = try await SMTPSocket.connect(port: port, from: "127.0.0.2")
            #expect(await other.reply().hasPrefix("220 "), "another address is still served")

            // A slot its own address gives up is open to that address again.
            await first.send("QUIT\r\n")
            #expect(await first.readToEnd() == "221 2.0.0 Bye\r\n<EOF>")
            try await waitUntil { system.email.smtp.openConnections == 2 }
            let again = try await SMTPSocket.connect(port: port, from: "127.0.0.1")
            #expect(await again.reply().hasPrefix("220 "))

            for socket in [first, second, refused, other, again] { socket.close() }
            try await waitUntil { system.email.smtp.openConnections == 0 }
        }
    }

    @Test func aClientSendingNOOPForeverIsClosedAtTheSessionLifetime() async throws {
        try await withSystem(
            "smtp_lifetime", adjust: { $0.maxSessionDuration = .seconds(2); $0.maxJunkCommands = 10_000 }
        ) { system in
            // One NOOP every 100 ms for up to 20 s: never idle past the 5 s timeout, never an error.
            let script = "EHLO forever.test\r\n" + String(repeating: "NOOP\r\n", count: 200)
            let result = try await SMTPInterop.raw(
                port: system.smtpPort, script: script, delayMilliseconds: 100, chunk: 6, readTimeout: 60)
            let codes = SMTPInterop.replyCodes(result.replies)
            #expect(codes.last == 421, "\(result.replies)")
            #expect(result.replies.contains("421 4.4.2 Session time limit reached, closing connection\r\n"))
            #expect(codes.dropLast().allSatisfy { $0 == 220 || $0 == 250 }, "\(result.replies)")
            #expect(codes.count < 202, "every NOOP was answered: the session outlived its limit")
            try await waitUntil { system.email.smtp.openConnections == 0 }
        }
    }

    @Test func aClientSendingOnlyJunkCommandsIsClosedAtTheLimit() async throws {
        try await withSystem("smtp_junk", adjust: { $0.maxJunkCommands = 3 }) { system in
            let script = "EHLO junk.test\r\nNOOP\r\nRSET\r\nNOOP\r\nNOOP\r\nQUIT\r\n"
            let result = try await SMTPInterop.raw(port: system.smtpPort, script: script)
            #expect(SMTPInterop.replyCodes(result.replies) == [220, 250, 250, 250, 421], "\(result.replies)")
            #expect(result.replies.contains("421 4.7.0 Too many commands without mail, closing connection\r\n<EOF>"))
            try await waitUntil { system.email.smtp.openConnections == 0 }
        }
    }

    @Test func startTLSDiscardsCommandsPipelinedBehindIt() async throws {
        try await withSystem("smtp_starttls_injection") { system in
            // RFC 3207: anything sent in plaintext after STARTTLS must not be executed. The
            // client never starts the handshake, so the connection ends at the idle timeout.
            let result = try await SMTPInterop.raw(
                port: system.smtpPort, script: "EHLO inject.test\r\nSTARTTLS\r\nMAIL FROM:<evil@example.org>\r\n")
            #expect(SMTPInterop.replyCodes(result.replies) == [220, 250, 220], "\(result.replies)")
            #expect(!result.replies.contains("Sender OK"))
            #expect(result.replies.hasSuffix("<EOF>") || result.replies.hasSuffix("<RESET>"))
        }
    }
}

/// Polls `condition` every 20 ms for up to 10 s.
func waitUntil(_ condition: () -> Bool) async throws {
    for _ in 0..<500 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    #expect(condition(), "condition not reached within 10 s")
}

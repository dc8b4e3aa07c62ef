import Testing
import PurserPostgres

@Suite struct NotificationTests {
    @Test func notifyPayloadsArriveAtAListenerInOrder() async throws {
        try await withPool("notify", size: 2) { pool in
            let stream = try await pool.listen(channel: "holds expired")
            for index in 0..<5 { try await pool.notify(channel: "holds expired", payload: "hold-\(index)") }
            try await pool.notify(channel: "other", payload: "not for us")
            var received: [String] = []
            for await payload in stream {
                received.append(payload)
                if received.count == 5 { break }
            }
            #expect(received == (0..<5).map { "hold-\($0)" })
        }
    }

    @Test func notificationsInsideATransactionArriveOnlyAfterCommit() async throws {
        try await withPool("notify_tx", size: 2) { pool in
            let stream = try await pool.listen(channel: "revocations")
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await pool.withTransaction { connection in
                    _ = try connection.query("SELECT pg_notify('revocations', 'rolled back')")
                    throw Abort()
                }
            }
            try await pool.withTransaction { connection in
                _ = try connection.query("SELECT pg_notify('revocations', 'committed')")
            }
            var iterator = stream.makeAsyncIterator()
            #expect(await iterator.next() == "committed")
        }
    }
}

import PurserKit
import PurserRPC
import Synchronization

/// One client connection on a `StreamConnection`: writes request bytes and
/// collects the responses they get, in order. Interim (1xx) responses are
/// skipped. Loop-confined except `isUsable`.
package final class HTTPClientConnection: StreamConnectionDelegate, @unchecked Sendable {
    private struct Exchange {
        var methods: [String]
        var responses: [HTTPClientResponse] = []
        var continuation: CheckedContinuation<[HTTPClientResponse], any Error>
        var timer: LoopTimer?
    }

    let stream: StreamConnection
    private let usable = Atomic<Bool>(true)
    private var parser = HTTPResponseParser()
    private var exchanges: [Exchange] = []
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var closeWaiters: [CheckedContinuation<String?, Never>] = []
    private var closeReason: String??
    /// What the request in progress fails with when this side closed the connection on purpose.
    private var failure: HTTPError?
    private let maximumBodySize: Int

    init(stream: StreamConnection, maximumBodySize: Int) {
        self.stream = stream
        self.maximumBodySize = maximumBodySize
    }

    /// Whether the connection is open and may carry another request.
    package var isUsable: Bool { usable.load(ordering: .acquiring) }

    func begin(handshakeTimeout: Duration) { stream.begin(delegate: self, handshakeTimeout: handshakeTimeout) }

    /// Sends `bytes` (any number of requests) and returns the final responses
    /// to `methods.count` requests, in order; throws `HTTPError` 502
    /// `connection_lost` when the connection ends first (also after `timeout`),
    /// `malformed_response` or `response_too_large` for a response not accepted.
    package func exchange(_ bytes: [UInt8], methods: [String], timeout: Duration) async throws -> [HTTPClientResponse] {
        try await withCheckedThrowingContinuation { continuation in
            stream.loop.execute { [self] in
                guard closeReason == nil else {
                    continuation.resume(throwing: lost(because: (closeReason ?? nil) ?? "closed"))
                    return
                }
                if methods.isEmpty {
                    stream.write(bytes)
                    continuation.resume(returning: [])
                    return
                }
                let timer = stream.loop.schedule(afterNanoseconds: timeout.unsignedNanoseconds) { [weak self] in
                    self?.stream.close(because: "request timed out")
                }
                if exchanges.isEmpty { parser.expectResponse(toMethod: methods[0]) }
                exchanges.append(Exchange(methods: methods, continuation: continuation, timer: timer))
                stream.write(bytes)
            }
        }
    }

    /// Waits until the connection closes; returns why (nil for an orderly close).
    package func closed() async -> String? {
        await withCheckedContinuation { continuation in
            stream.loop.execute { [self] in
                if let closeReason { continuation.resume(returning: closeReason) } else { closeWaiters.append(continuation) }
            }
        }
    }

    /// Closes the connection.
    package func close() {
        stream.loop.execute { [self] in stream.close(because: nil) }
    }

    // MARK: Stream events

    package func streamOpened() {}

    package func streamReceived(_ bytes: UnsafeRawBufferPointer) {
        parser.append(bytes)
        do {
            while let event = try parser.next() { handle(event) }
        } catch {
            failure = HTTPError(.badGateway, reason: "malformed_response", detail: error.reason)
            stream.close(because: "malformed response: \(error.reason)")
        }
    }

    package func streamClosed(reason: String?) {
        usable.store(false, ordering: .releasing)
        if let event = try? parser.finish() { handle(event) }
        closeReason = .some(reason)
        let failed = exchanges
        exchanges = []
        for (index, exchange) in failed.enumerated() {
            if let timer = exchange.timer { stream.loop.cancel(timer) }
            let lost = lost(because: reason ?? "closed by the server")
            exchange.continuation.resume(throwing: index == 0 ? failure ?? lost : lost)
        }
        for waiter in closeWaiters { waiter.resume(returning: reason) }
        closeWaiters = []
    }

    /// The error of a request the closed connection cannot answer:
    /// `connect_failed` when the socket never connected, `tls_failed` when the
    /// TLS handshake did not finish, `connection_lost` after it opened.
    private func lost(because reason: String) -> HTTPError {
        switch stream.closedFrom {
        case .connecting: HTTPError(.badGateway, reason: "connect_failed", detail: reason)
        case .handshaking: HTTPError(.badGateway, reason: "tls_failed", detail: reason)
        default: HTTPError(.badGateway, reason: "connection_lost", detail: reason)
        }
    }

    private func handle(_ event: HTTPResponseParser.Event) {
        switch event {
        case .head(let received):
            guard !received.status.isInformational else { return }
            head = received
            body = []
        case .body(let bytes):
            guard body.count + bytes.count <= maximumBodySize else {
                failure = HTTPError(.badGateway, reason: "response_too_large", detail: "more than \(maximumBodySize) bytes")
                stream.close(because: "response body too large")
                return
            }
            body.append(contentsOf: bytes)
        case .end(let trailers):
            guard let head, !exchanges.isEmpty else { return }
            self.head = nil
            if !head.keepAlive { usable.store(false, ordering: .releasing) }
            exchanges[0].responses.append(HTTPClientResponse(head: head, body: body, trailers: trailers))
            body = []
            exchanges[0].methods.removeFirst()
            if let method = exchanges[0].methods.first {
                parser.expectResponse(toMethod: method)
                return
            }
            let done = exchanges.removeFirst()
            if let timer = done.timer { stream.loop.cancel(timer) }
            if let next = exchanges.first?.methods.first { parser.expectResponse(toMethod: next) }
            done.continuation.resume(returning: done.responses)
        }
    }
}

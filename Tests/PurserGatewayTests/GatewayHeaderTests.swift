import Testing
@testable import PurserGateway

/// How the gateway reads the request headers it acts on.
@Suite struct GatewayHeaderTests {
    @Test func headerNamesMatchWithoutASCIICaseOnly() {
        let request = GatewayRequest(verb: "POST", target: "/", headers: [("X-Request-ID", "first"), ("x-request-id", "second"), ("Idempotency-Kéy", "k")])
        #expect(request.header("x-request-id") == "first")
        #expect(request.header("X-REQUEST-ID") == "first")
        #expect(request.header("x-request-i") == nil)
        #expect(request.header("x-request-idx") == nil)
        #expect(request.header("IDEMPOTENCY-KÉY") == nil, "only ASCII letters fold")
        #expect(request.header("idempotency-kéy") == "k")
        // `@` and `` ` `` differ from `[` and `{` by the same bit as letters do, yet are not letters.
        let punctuation = GatewayRequest(verb: "GET", target: "/", headers: [("a@", "v")])
        #expect(punctuation.header("a`") == nil)
    }

    @Test(arguments: [
        ("application/json", "application/json"),
        ("Application/JSON; charset=utf-8", "application/json"),
        (" \tapplication/problem+json \t; q=1", "application/problem+json"),
        (";application/json", "application/json"),
        ("", ""),
        (";", ""),
        ("text/plain", "text/plain"),
        ("application/json\u{A0}", "application/json"),
        ("\u{2003}Application/Json", "application/json"),
    ])
    func theMediaTypeIsTheFirstPartTrimmedAndLowercased(value: String, expected: String) {
        #expect(GatewayHandler.mediaType(value) == expected)
    }
}

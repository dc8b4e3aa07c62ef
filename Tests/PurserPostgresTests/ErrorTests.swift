import Testing
import PurserPostgres

@Suite struct ErrorTests {
    @Test func constraintViolationsCarryKindAndConstraintName() async throws {
        try await withPool("errors", size: 1) { pool in
            try await pool.withConnection {
                try $0.executeScript("""
                    CREATE TABLE accounts (
                        id int8 PRIMARY KEY,
                        handle text NOT NULL CONSTRAINT accounts_handle_key UNIQUE,
                        balance int8 NOT NULL CONSTRAINT accounts_balance_nonnegative CHECK (balance >= 0)
                    );
                    INSERT INTO accounts VALUES (1, 'a', 0);
                    """)
            }
            func failure(_ sql: String) async throws -> PostgresError? {
                do {
                    try await pool.withConnection { _ = try $0.execute(sql) }
                    return nil
                } catch let error as PostgresError {
                    return error
                }
            }
            let unique = try #require(try await failure("INSERT INTO accounts VALUES (2, 'a', 0)"))
            #expect(unique.kind == .uniqueViolation)
            #expect(unique.constraint == "accounts_handle_key")
            #expect(unique.detail?.contains("(handle)=(a)") == true)

            let check = try #require(try await failure("UPDATE accounts SET balance = -1 WHERE id = 1"))
            #expect(check.kind == .checkViolation)
            #expect(check.constraint == "accounts_balance_nonnegative")

            let notNull = try #require(try await failure("INSERT INTO accounts (id, balance) VALUES (3, 0)"))
            #expect(notNull.kind == .notNullViolation)
            #expect(notNull.column == "handle")

            let syntax = try #require(try await failure("SELEC 1"))
            #expect(syntax.kind == .server)
            #expect(syntax.sqlState == "42601")
            #expect(!syntax.isRetryable)
            #expect(syntax.kind.reason == "server_error")
        }
    }

    @Test(arguments: [
        ("40001", PostgresError.Kind.serializationFailure, true),
        ("40P01", .deadlock, true),
        ("23505", .uniqueViolation, false),
        ("23514", .checkViolation, false),
        ("57014", .queryCanceled, false),
        ("57P01", .connectionLost, true),
        ("08006", .connectionLost, true),
        ("53300", .unavailable, true),
        ("42P01", .server, false),
    ])
    func sqlStatesMapToKindsAndRetryability(state: String, kind: PostgresError.Kind, retryable: Bool) {
        let error = PostgresError(PostgresError.Kind(sqlState: state), "x", sqlState: state)
        #expect(error.kind == kind)
        #expect(error.isRetryable == retryable)
    }
}

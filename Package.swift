// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let nio: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let hummingbirdCore: Target.Dependency = .product(name: "HummingbirdCore", package: "hummingbird")
let postgres: Target.Dependency = .product(name: "PostgresNIO", package: "postgres-nio")
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let httpClient: Target.Dependency = .product(name: "AsyncHTTPClient", package: "async-http-client")
let tracing: Target.Dependency = .product(name: "Tracing", package: "swift-distributed-tracing")

let package = Package(
    name: "agentim",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "agentim-server", targets: ["agentim-server"]),
        .executable(name: "agentim-edge", targets: ["agentim-edge"]),
        .executable(name: "agentim-auth", targets: ["agentim-auth"]),
        .executable(name: "agentim-rooms", targets: ["agentim-rooms"]),
        .executable(name: "agentim-router", targets: ["agentim-router"]),
        .executable(name: "agentim-uploads", targets: ["agentim-uploads"]),
        .executable(name: "agentim", targets: ["agentim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP/HTTP only: the gRPC exporter's packages stay out of the build.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // C libraries from Debian, wrapped as Swift modules.
        .systemLibrary(name: "CHiredis", path: "shared/Sources/CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CArgon2", path: "shared/Sources/CArgon2", providers: [.apt(["libargon2-dev"])]),

        // The wire types the services and the `agentim` CLI share: Foundation only, so the CLI stays light.
        .target(name: "AgentIMWire", path: "shared/Sources/AgentIMWire", swiftSettings: strict),
        // Shared libraries every service links.
        .target(name: "AgentIMCore", dependencies: ["AgentIMWire", logging, nio, nioPosix, tracing, .product(name: "Metrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus")], path: "shared/Sources/AgentIMCore", swiftSettings: strict),
        .target(name: "AgentIMRedis", dependencies: ["CHiredis", "AgentIMCore", nio, nioPosix, logging], path: "shared/Sources/AgentIMRedis", swiftSettings: strict),
        .target(name: "AgentIMBus", dependencies: ["AgentIMCore", "AgentIMRedis", logging, lifecycle], path: "shared/Sources/AgentIMBus", swiftSettings: strict),
        .target(name: "AgentIMDatabase", dependencies: ["AgentIMCore", postgres, logging, lifecycle], path: "shared/Sources/AgentIMDatabase", swiftSettings: strict),
        .target(name: "AgentIMTokens", dependencies: ["AgentIMCore", "AgentIMBus", .product(name: "Crypto", package: "swift-crypto")], path: "shared/Sources/AgentIMTokens", swiftSettings: strict),
        .target(name: "AgentIMSecrets", dependencies: ["AgentIMCore", .product(name: "Crypto", package: "swift-crypto")], path: "shared/Sources/AgentIMSecrets", swiftSettings: strict),
        .target(name: "AgentIMHTTP", dependencies: ["AgentIMCore", "AgentIMTokens", hummingbird, logging], path: "shared/Sources/AgentIMHTTP", swiftSettings: strict),
        .target(name: "AgentIMRuntime", dependencies: ["AgentIMCore", "AgentIMRedis", "AgentIMBus", "AgentIMDatabase", "AgentIMTokens", "AgentIMHTTP", "AgentIMSecrets", postgres, hummingbird, hummingbirdCore, nio, nioPosix, logging, lifecycle, httpClient, tracing, .product(name: "OTel", package: "swift-otel")], path: "shared/Sources/AgentIMRuntime", swiftSettings: strict),

        // Services: a library with the logic, a thin executable.
        .target(name: "AuthService", dependencies: ["AgentIMCore", "AgentIMDatabase", "AgentIMBus", "AgentIMTokens", "AgentIMHTTP", "AgentIMRuntime", "AgentIMSecrets", "AgentIMRedis", "CArgon2", hummingbird, postgres, lifecycle, httpClient, .product(name: "Crypto", package: "swift-crypto")], path: "services/auth/Sources/AuthService", swiftSettings: strict),
        .executableTarget(name: "agentim-auth", dependencies: ["AuthService"], path: "services/auth/Sources/agentim-auth", swiftSettings: strict),
        // Login throughput against the argon2id cost (services/auth/bench); not a test.
        .executableTarget(name: "agentim-auth-bench", dependencies: ["AuthService", httpClient], path: "services/auth/Sources/agentim-auth-bench", swiftSettings: strict),
        .target(name: "RoomsService", dependencies: ["AgentIMCore", "AgentIMDatabase", "AgentIMBus", "AgentIMTokens", "AgentIMHTTP", "AgentIMRuntime", hummingbird, postgres, lifecycle, httpClient, .product(name: "Crypto", package: "swift-crypto"), .product(name: "Metrics", package: "swift-metrics")], path: "services/rooms/Sources/RoomsService", swiftSettings: strict),
        .executableTarget(name: "agentim-rooms", dependencies: ["RoomsService"], path: "services/rooms/Sources/agentim-rooms", swiftSettings: strict),
        .target(name: "RouterService", dependencies: ["AgentIMCore", "AgentIMDatabase", "AgentIMBus", "AgentIMTokens", "AgentIMHTTP", "AgentIMRuntime", "AgentIMSecrets", hummingbird, postgres, lifecycle, nio, nioPosix, httpClient], path: "services/router/Sources/RouterService", swiftSettings: strict),
        .executableTarget(name: "agentim-router", dependencies: ["RouterService"], path: "services/router/Sources/agentim-router", swiftSettings: strict),
        .target(name: "UploadsService", dependencies: ["AgentIMCore", "AgentIMDatabase", "AgentIMBus", "AgentIMTokens", "AgentIMHTTP", "AgentIMRuntime", hummingbird, postgres, lifecycle, httpClient, nio, nioPosix,
            .product(name: "MultipartKit", package: "multipart-kit"), .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "_NIOFileSystem", package: "swift-nio"), .product(name: "Crypto", package: "swift-crypto")], path: "services/uploads/Sources/UploadsService", swiftSettings: strict),
        .executableTarget(name: "agentim-uploads", dependencies: ["UploadsService"], path: "services/uploads/Sources/agentim-uploads", swiftSettings: strict),
        .target(name: "EdgeService", dependencies: ["AgentIMCore", "AgentIMBus", "AgentIMTokens", "AgentIMHTTP", "AgentIMRedis", "AgentIMRuntime", hummingbird, httpClient, lifecycle, .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "WSCore", package: "swift-websocket"), .product(name: "NIOWebSocket", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "NIOTLS", package: "swift-nio"), .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"), .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"), .product(name: "NIOHTTPTypesHTTP2", package: "swift-nio-extras"),
            .product(name: "Prometheus", package: "swift-prometheus")], path: "services/gateway-edge/Sources/EdgeService", swiftSettings: strict),
        .executableTarget(name: "agentim-edge", dependencies: ["EdgeService"], path: "services/gateway-edge/Sources/agentim-edge", swiftSettings: strict),
        // The single-process hub: the same services composed behind one edge (services/server).
        .target(name: "SingleProcessHub", dependencies: ["AgentIMCore", "AgentIMDatabase", "AgentIMRuntime", "AgentIMSecrets", "EdgeService", "AuthService", "RoomsService", "RouterService", "UploadsService", hummingbird, logging, lifecycle], path: "services/server/Sources/SingleProcessHub", swiftSettings: strict),
        .executableTarget(name: "agentim-server", dependencies: ["SingleProcessHub", .product(name: "ArgumentParser", package: "swift-argument-parser")], path: "services/server/Sources/agentim-server", swiftSettings: strict),

        // The `agentim` CLI: a thin main over a library the tests drive (cli/).
        .target(name: "AgentIMCLI", dependencies: ["AgentIMWire", httpClient, nio, nioPosix, logging, .product(name: "WSClient", package: "swift-websocket"), .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"), .product(name: "NIOFoundationCompat", package: "swift-nio")], path: "cli/Sources/AgentIMCLI",
            swiftSettings: strict + [.unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux], configuration: .release))]),
        // Release links the Swift runtime and Foundation statically (the static Foundation needs its C parts named),
        // with packed relative relocations (lld, DT_RELR: the loader reads ~0.1 MB instead of 3 MB of them): less
        // resident memory for an idle gateway (bench/cli-relay.py), and the binary runs without a Swift install.
        // Idle memory is mostly code pages, and the kernel maps them 64 KB at a time: the ~5,000 functions an idle
        // gateway runs (1.3 MB) were spread over 18 MB of code. cli/agentim.order (bench/cli-order-file.py) puts them
        // together; no symbol table is exported (the loader touched 2.9 MB of it), and the CLI's own functions get a
        // section each so they can be placed one by one.
        .executableTarget(name: "agentim", dependencies: ["AgentIMCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")], path: "cli/Sources/agentim", swiftSettings: strict,
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "-lCoreFoundation", "-Xlinker", "-l_FoundationICU", "-Xlinker", "-l_FoundationCShims", "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-lFoundationInternationalization", "-Xlinker", "-lFoundationEssentials",
                "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/cli/agentim.order", "-Xlinker", "--no-warn-symbol-ordering", "-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux], configuration: .release))]),

        .testTarget(name: "SharedTests", dependencies: ["AgentIMCore", "AgentIMBus", "AgentIMRedis", "AgentIMTokens", "AgentIMDatabase", "AgentIMRuntime", "AgentIMHTTP", "AgentIMSecrets", "AuthService", hummingbird, .product(name: "HummingbirdTesting", package: "hummingbird"), logging, postgres, lifecycle], path: "Tests/SharedTests", swiftSettings: strict),
        .testTarget(name: "RouterServiceTests", dependencies: ["RouterService", "AgentIMCore"], path: "Tests/RouterServiceTests", swiftSettings: strict),
        .testTarget(name: "UploadsServiceTests", dependencies: ["UploadsService", "AgentIMCore", nio], path: "Tests/UploadsServiceTests", swiftSettings: strict),
        // Services and the single-process hub built by their own initialisers, served in-process.
        .testTarget(name: "InProcessTests", dependencies: ["AgentIMCore", "AgentIMDatabase", "AgentIMRuntime", "AuthService", "RoomsService", "RouterService", "UploadsService", "EdgeService", "SingleProcessHub",
            hummingbird, .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"), logging, postgres,
            nio, nioPosix, .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"), .product(name: "NIOHPACK", package: "swift-nio-http2")], path: "Tests/InProcessTests", swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["AgentIMCore", "AgentIMCLI", "AgentIMBus", "AgentIMRedis", httpClient, .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"), .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOWebSocket", package: "swift-nio"), .product(name: "NIOFoundationCompat", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "HTTPTypes", package: "swift-http-types")], path: "Tests/EndToEndTests", swiftSettings: strict),
        .testTarget(name: "CLITests", dependencies: ["AgentIMCLI", httpClient, .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"), .product(name: "Crypto", package: "swift-crypto")], path: "Tests/CLITests", exclude: ["Fakes"], swiftSettings: strict),
    ]
)

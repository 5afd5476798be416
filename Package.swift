// swift-tools-version: 6.0
import PackageDescription

// XMPPKit: the data flows bottom to top, one target per layer (see README.md).
//   bytes → XMPPXML (expat) → XMPPCore (stanzas) → XMPPClient → XMPPExtensions → ProfileSDK
let package = Package(
    name: "XMPPKit",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "XMPPXML", targets: ["XMPPXML"]),
        .library(name: "XMPPCore", targets: ["XMPPCore"]),
        .library(name: "XMPPCrypto", targets: ["XMPPCrypto"]),
        .library(name: "XMPPClient", targets: ["XMPPClient"]),
        .library(name: "XMPPExtensions", targets: ["XMPPExtensions"]),
        .library(name: "ProfileSDK", targets: ["ProfileSDK"]),
        .library(name: "XMPPConformance", targets: ["XMPPConformance"]),
        .executable(name: "xmppkit", targets: ["xmppkit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        // System libraries, each with its pkg-config name and the Debian package providing it.
        .systemLibrary(name: "CExpat", pkgConfig: "expat", providers: [.apt(["libexpat1-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libgd (pkg-config gdlib) without pkgConfig: its .pc cflags carry -DAVIF_DLL, which SwiftPM
        // refuses with a warning; gd.h and libgd sit on the default paths on Debian.
        .systemLibrary(name: "CGD", providers: [.apt(["libgd-dev"])]),
        .systemLibrary(name: "CQREncode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),

        // DNS SRV lookups (RFC 2782) through libresolv's thread-safe calls.
        .target(name: "CResolv", linkerSettings: [.linkedLibrary("resolv")]),

        .target(name: "XMPPXML", dependencies: ["CExpat"]),
        .target(name: "XMPPCore", dependencies: ["XMPPXML"]),
        .target(name: "XMPPCrypto", dependencies: ["COpenSSL"]),
        .target(
            name: "XMPPClient",
            dependencies: [
                "XMPPCore", "XMPPCrypto", "COpenSSL", "CZlib", "CResolv",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // One folder per XEP, each a module registered into a client that knows nothing about it.
        .target(
            name: "XMPPExtensions",
            dependencies: [
                "XMPPClient", "XMPPCore", "XMPPXML", "XMPPCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The facade: the documented SDK's Profile methods (Specs/sdk/profile.json) over the modules.
        .target(
            name: "ProfileSDK",
            dependencies: [
                "XMPPExtensions", "XMPPClient", "XMPPCore", "XMPPXML", "XMPPCrypto", "CQREncode", "CZlib", "CGD",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `xmppkit conform`: checks of a server against RFC 6120, RFC 6121 and the XEPs (Specs/conformance/).
        .target(
            name: "XMPPConformance",
            dependencies: [
                "XMPPExtensions", "XMPPClient", "XMPPCore", "XMPPXML", "XMPPCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Benchmarks: the raw-expat baseline (plain C callbacks, no allocation) and a heap probe, in C;
        // the measurements themselves in Swift, run by `xmppkit bench`.
        .target(name: "CBenchmarkSupport", dependencies: ["CExpat"], path: "Benchmarks/CBenchmarkSupport"),
        .target(
            name: "XMPPBenchmarks",
            dependencies: [
                "XMPPXML", "XMPPCore", "XMPPClient", "CBenchmarkSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/XMPPBenchmarks"
        ),

        .executableTarget(
            name: "xmppkit",
            dependencies: [
                "XMPPXML", "XMPPCore", "XMPPCrypto", "XMPPClient", "XMPPExtensions", "ProfileSDK", "XMPPConformance",
                "XMPPBenchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Shared by the test targets only: locating Fixtures/ and reading the server environment.
        .target(name: "TestSupport", dependencies: ["XMPPCrypto"], path: "Tests/TestSupport"),
        .testTarget(name: "XMPPXMLTests", dependencies: ["XMPPXML", "TestSupport"]),
        .testTarget(name: "XMPPCoreTests", dependencies: ["XMPPCore", "TestSupport"]),
        .testTarget(name: "XMPPCryptoTests", dependencies: ["XMPPCrypto", "TestSupport"]),
        .testTarget(
            name: "XMPPClientTests",
            dependencies: [
                "XMPPClient", "TestSupport",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "XMPPExtensionsTests",
            dependencies: [
                "XMPPExtensions", "XMPPClient", "XMPPCore", "XMPPXML", "XMPPCrypto", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "XMPPXML", "XMPPCore", "XMPPClient", "XMPPCrypto", "XMPPExtensions", "ProfileSDK", "XMPPConformance", "TestSupport",
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: [
                "XMPPConformance", "XMPPClient", "XMPPCore", "XMPPXML", "XMPPCrypto", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

import Foundation
import ProfileSDK
import TestSupport
import Testing

/// The Swift API against the contract, Specs/sdk/profile.json, both ways (issue 7 §1; the CLI's side
/// is `CLITests.helpMatchesSpec`). No server needed.
///
/// Swift has no method reflection, so: (a) `apiTable` names every documented method through the
/// real `SDK` type with the spec's parameter names as argument labels (a missing or renamed method
/// or label stops this file compiling), and is compared with the JSON's method list and parameter
/// names; (b) the sources of ProfileSDK are scanned for the public methods on `SDK`, and every one
/// the JSON does not list fails, unless `allowList` names it with a reason.
@Suite("ProfileSDK Swift API matches Specs/sdk/profile.json")
struct ProfileSpecAPITests {
    /// One entry per documented method: its compound name, and the same method referenced through
    /// `SDK` (the reference is what the compiler checks; `tableIsSelfConsistent` checks the name
    /// is spelled as the reference).
    static func apiTable() -> [(name: String, reference: Any)] {
        [
            ("initialize(configuration:)", SDK.initialize(configuration:)),
            ("register(userIdentifier:autoLogin:)", SDK.register(userIdentifier:autoLogin:)),
            ("login(username:password:)", SDK.login(username:password:)),
            ("connect(username:password:)", SDK.connect(username:password:)),
            ("generateQrCode(output:logo:signalServer:onLogin:)", SDK.generateQrCode(output:logo:signalServer:onLogin:)),
            ("loginWebChatViaQRCode(qrString:)", SDK.loginWebChatViaQRCode(qrString:)),
            ("logout()", SDK.logout),
            ("getFriendsList()", SDK.getFriendsList),
            ("getUserProfile(toUserJid:)", SDK.getUserProfile(toUserJid:)),
            ("setUserProfile(name:image:status:mobileNumber:email:)", SDK.setUserProfile(name:image:status:mobileNumber:email:)),
            ("getLastSeen(toUserJid:)", SDK.getLastSeen(toUserJid:)),
            ("blockUser(toUserJid:)", SDK.blockUser(toUserJid:)),
            ("unblockUser(toUserJid:)", SDK.unblockUser(toUserJid:)),
            ("getUsersIBlocked()", SDK.getUsersIBlocked),
            ("getUsersWhoBlockedMe()", SDK.getUsersWhoBlockedMe),
            ("getCurrentUserJid()", SDK.getCurrentUserJid),
            ("getUserToken(username:password:)", SDK.getUserToken(username:password:)),
            ("setUserToken(token:)", SDK.setUserToken(token:)),
            ("sendFeedback(title:description:)", SDK.sendFeedback(title:description:)),
            ("deleteMyAccount(reason:feedback:)", SDK.deleteMyAccount(reason:feedback:)),
            ("reportUserOrGroup(toUserJid:chatType:messageData:)", SDK.reportUserOrGroup(toUserJid:chatType:messageData:)),
            ("setMediaEncryption(enabled:)", SDK.setMediaEncryption(enabled:)),
        ]
    }

    /// Public methods on `SDK` that are not Profile methods of the seed docs, each with its reason.
    static let allowList: [String: String] = [
        "currentUserToken()": "the session's token for `xmppkit sdk` to store in its --profile (SDK+Token.swift); not a seed method",
        "currentUserTokenJid()": "the JID that token belongs to, stored with it by `xmppkit sdk`; not a seed method",
        "getFriendsList(maxConcurrentFetches:)": "@_spi(Benchmarks), not public API: `xmppkit bench sdk` compares 32 fetches in flight with 1",
    ]

    /// Parameters the spec marks required that the Swift API lets a caller omit, each with its reason.
    /// None: setUserProfile's image/status/mobileNumber/email are required as profile.json says.
    static let defaultsBeyondSpec: [String: String] = [:]

    struct SpecMethod {
        var name: String
        var parameters: [(name: String, required: Bool, swiftType: String)]
        var swift: String
        var compoundName: String { "\(name)(\(parameters.map { $0.name + ":" }.joined()))" }
    }

    static let repository = Fixtures.root.deletingLastPathComponent()

    static func specMethods() throws -> [SpecMethod] {
        let data = try Data(contentsOf: repository.appendingPathComponent("Specs/sdk/profile.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let methods = try #require(root["methods"] as? [[String: Any]])
        return try methods.map { method in
            let name = try #require(method["name"] as? String)
            let parameters = try (method["parameters"] as? [[String: Any]] ?? []).map { parameter in
                (name: try #require(parameter["swiftName"] as? String, "\(name): a parameter without swiftName"),
                 required: try #require(parameter["required"] as? Bool, "\(name): a parameter without required"),
                 swiftType: parameter["swiftType"] as? String ?? "")
            }
            return SpecMethod(name: name, parameters: parameters, swift: method["swift"] as? String ?? "")
        }
    }

    // MARK: - initialize's configuration fields

    /// `SDKConfiguration`'s initializer referenced with every label: a field renamed, added or
    /// removed there stops this compiling until the name (and profile.json) follow.
    static func configurationInitializer() -> (labels: [String], reference: Any) {
        (["domain", "host", "port", "caFile", "isSandbox", "isTrialLicenseKey", "sandboxDomain", "listeners", "requestTimeout",
          "trustedSignalServers", "resource", "reconnect", "mediaEncryption", "maxImageBytes"],
         SDKConfiguration.init(domain:host:port:caFile:isSandbox:isTrialLicenseKey:sandboxDomain:listeners:requestTimeout:trustedSignalServers:resource:reconnect:mediaEncryption:maxImageBytes:))
    }

    @Test("initialize.fields in profile.json are SDKConfiguration's initializer labels, both ways, with the same plain defaults")
    func configurationFieldsMatch() throws {
        let data = try Data(contentsOf: Self.repository.appendingPathComponent("Specs/sdk/profile.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let fields = try #require((root["initialize"] as? [String: Any])?["fields"] as? [String: [String: Any]])
        let labels = Self.configurationInitializer().labels
        for field in fields.keys.sorted() where !labels.contains(field) {
            Issue.record("profile.json initialize.fields documents \(field), which SDKConfiguration's initializer does not take")
        }
        for label in labels where fields[label] == nil {
            Issue.record("SDKConfiguration's initializer takes \(label), which profile.json initialize.fields does not document")
        }
        for (field, spec) in fields {
            let required = try #require(spec["required"] as? Bool, "\(field): no required")
            #expect(required == (field == "domain"), "\(field): required is \(required); only domain has no default in Swift")
        }
        let defaults = SDKConfiguration(domain: "example.com")
        #expect(fields["isSandbox"]?["default"] as? Bool == defaults.isSandbox)
        #expect(fields["isTrialLicenseKey"]?["default"] as? Bool == defaults.isTrialLicenseKey)
        #expect(fields["reconnect"]?["default"] as? Bool == defaults.reconnect)
        #expect(fields["mediaEncryption"]?["default"] as? Bool == defaults.mediaEncryption)
        #expect(fields["maxImageBytes"]?["default"] as? Int == defaults.maxImageBytes)
        #expect((fields["requestTimeout"]?["default"] as? Int).map { Duration.seconds($0) } == defaults.requestTimeout)
        #expect(defaults.resource == nil && defaults.caFile == nil && defaults.host == nil && defaults.port == nil)
    }

    // MARK: - (a) Every documented method through the real API

    @Test("Every method of profile.json is referenced through SDK with the spec's parameter names as labels, and only those")
    func documentedMethodsExist() throws {
        let spec = try Self.specMethods()
        #expect(spec.count == 22, "profile.json lists \(spec.count) methods; issue 7 names 22")
        let table = Self.apiTable().map(\.name)
        #expect(Set(table).count == table.count, "the table names a method twice")
        let documented = spec.map(\.compoundName)
        for name in documented where !table.contains(name) {
            Issue.record("profile.json documents \(name), which the API table does not reference through SDK")
        }
        for name in table where !documented.contains(name) {
            Issue.record("the API table references \(name), which profile.json does not document (method or parameter names differ)")
        }
        #expect(Set(documented).count == documented.count, "profile.json documents a method twice")
    }

    @Test("The API table's names are spelled as the references next to them (this file's source)")
    func tableIsSelfConsistent() throws {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let entry = try Regex(#"\s*\("([A-Za-z]+\([A-Za-z:]*\))", SDK\.([A-Za-z]+)(\([A-Za-z:]*\))?\),"#)
        var checked = 0
        for line in source.split(separator: "\n") {
            guard let match = line.wholeMatch(of: entry) else { continue }
            let name = String(match.output[1].substring ?? "")
            let reference = String(match.output[2].substring ?? "") + String(match.output[3].substring ?? "()")
            #expect(name == reference, "table entry \(name) references SDK.\(reference)")
            checked += 1
        }
        #expect(checked == Self.apiTable().count, "\(checked) table lines read, the table has \(Self.apiTable().count) entries")
    }

    @Test("Each method's `swift` signature in profile.json has its name and the parameters' swiftNames as labels")
    func specSignaturesAreConsistent() throws {
        for method in try Self.specMethods() {
            let declarations = try SwiftDeclarationScanner.functions(in: method.swift, publicOnly: false)
            let declaration = try #require(declarations.first, "\(method.name): no func in \(method.swift)")
            #expect(declaration.compoundName == method.compoundName, "\(method.name): swift says \(declaration.compoundName)")
        }
    }

    // MARK: - (b) Every public SDK method in the sources is documented

    @Test("Every public method on SDK in Sources/ProfileSDK is in profile.json (or allow-listed with a reason), with its types and defaults")
    func publicMethodsAreDocumented() throws {
        let spec = try Self.specMethods()
        let byName = Dictionary(spec.map { ($0.compoundName, $0) }, uniquingKeysWith: { first, _ in first })
        let folder = Self.repository.appendingPathComponent("Sources/ProfileSDK")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }.sorted()
        #expect(!files.isEmpty)
        var found: [String: SwiftDeclarationScanner.Function] = [:]
        for file in files {
            let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for function in try SwiftDeclarationScanner.publicMethods(ofType: "SDK", in: source) {
                #expect(found[function.compoundName] == nil, "\(function.compoundName) declared twice (\(file))")
                found[function.compoundName] = function
                if Self.allowList[function.compoundName] != nil { continue }
                guard let method = byName[function.compoundName] else {
                    Issue.record("\(file): public func \(function.compoundName) on SDK is not in Specs/sdk/profile.json (nor allow-listed)")
                    continue
                }
                for (parameter, declared) in zip(method.parameters, function.parameters) {
                    let type = declared.type
                    #expect(parameter.swiftType == type || parameter.swiftType.hasPrefix(type + " "),
                            "\(method.name)(\(parameter.name):) is \(type) in Swift, \(parameter.swiftType) in the spec")
                    if !parameter.required {
                        #expect(declared.hasDefault, "\(method.name)(\(parameter.name):) is optional in the spec but has no default in Swift")
                    } else if declared.hasDefault {
                        #expect(Self.defaultsBeyondSpec["\(method.name)(\(parameter.name):)"] != nil,
                                "\(method.name)(\(parameter.name):) is required in the spec but has a default in Swift")
                    }
                }
            }
        }
        // The scan itself must see the documented methods, or it proves nothing.
        for method in spec {
            #expect(found[method.compoundName] != nil, "the source scan did not find public func \(method.compoundName) on SDK")
        }
        for name in Self.allowList.keys {
            #expect(found[name] != nil, "allow-listed \(name) is no longer declared; remove it from the allow-list")
        }
        for name in Self.defaultsBeyondSpec.keys {
            let method = String(name.prefix { $0 != "(" })
            let label = String(name.dropFirst(method.count + 1).dropLast(2))
            let function = found.values.first { $0.name == method && $0.parameters.contains { $0.label == label } }
            #expect(function?.parameters.first { $0.label == label }?.hasDefault == true,
                    "\(name) is listed as defaulted beyond the spec but has no default; remove it from the list")
        }
    }

    @Test("The source scan reads labels, types, defaults and SDK extensions correctly")
    func scannerSelfTest() throws {
        let source = #"""
            import Foundation
            // public func commented(x: Int) on SDK
            /* public func blockComment() { } */
            extension SDKError { public func notOnSDK() {} }
            public actor SDK {
                public init() {}
                public func a(_ x: Int, y z: String = "}", w: (@Sendable (Int) -> Void)? = nil) async throws -> Int {
                    let s = "public func inString() { \(x) }"
                    func nested(q: Int) {}
                    return 0
                }
                func internalOne(p: Int) {}
                private func hidden() {}
            }
            extension SDK {
                @_spi(X) public func b<T: Sendable>(value: [String: T], other: Int) -> Int { 1 }
                public nonisolated func c() {}
                nonisolated public func e(f: Int) {}
                struct Inner { public func notSDK() {} }
            }
            public struct Other { public func d(k: Int) {} }
            """#
        let methods = try SwiftDeclarationScanner.publicMethods(ofType: "SDK", in: source)
        #expect(methods.map(\.compoundName) == ["a(_:y:w:)", "b(value:other:)", "c()", "e(f:)"])
        let a = methods.first
        #expect(a?.parameters.map(\.type) == ["Int", "String", "(@Sendable (Int) -> Void)?"])
        #expect(a?.parameters.map(\.hasDefault) == [false, true, true])
        #expect(methods.dropFirst().first?.parameters.map(\.type) == ["[String: T]", "Int"])
    }
}

/// A small reader of Swift declarations: comments and string literals blanked, braces counted.
/// Enough for the ProfileSDK sources' `public func` declarations, not a Swift parser.
enum SwiftDeclarationScanner {
    struct Parameter {
        var label: String
        var type: String
        var hasDefault: Bool
    }

    struct Function {
        var name: String
        var parameters: [Parameter]
        var compoundName: String { "\(name)(\(parameters.map { $0.label + ":" }.joined()))" }
    }

    /// The `public func`s declared directly in `actor <type>` or `extension <type>` blocks.
    static func publicMethods(ofType type: String, in source: String) throws -> [Function] {
        let code = blanked(source)
        let header = try Regex(#"\b(actor|extension)\s+\#(type)\b(?!\.)"#)
        var result: [Function] = []
        var depth = 0
        var headerStart = 0
        var blockStart: Int?
        var i = 0
        while i < code.count {
            switch code[i] {
            case "{":
                if depth == 0 {
                    blockStart = String(code[headerStart..<i]).contains(header) ? i + 1 : nil
                }
                depth += 1
            case "}":
                depth -= 1
                if depth == 0 {
                    if let start = blockStart {
                        result += try functions(in: topLevel(code[start..<i]), publicOnly: true)
                    }
                    blockStart = nil
                    headerStart = i + 1
                }
            case ";" where depth == 0:
                headerStart = i + 1
            default:
                break
            }
            i += 1
        }
        return result
    }

    /// The `func` declarations in `text` (`public` ones only, when asked), with their parameter clauses.
    static func functions(in text: String, publicOnly: Bool) throws -> [Function] {
        // `nonisolated public func` is `public nonisolated func`.
        let text = text.replacing(try Regex(#"\b((?:(?:nonisolated|static|final|override|mutating)\s+)+)public\s"#)) { match in
            "public " + String(match.output[1].substring ?? "")
        }
        let code = Array(text)
        let pattern = publicOnly
            ? try Regex(#"\bpublic\s+(?:(?:nonisolated|static|final|override|mutating)\s+)*func\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:<[^>{]*>)?\s*\("#)
            : try Regex(#"\bfunc\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:<[^>{]*>)?\s*\("#)
        let string = String(code)
        var result: [Function] = []
        for match in string.matches(of: pattern) {
            let name = String(match.output[1].substring ?? "")
            let open = string.distance(from: string.startIndex, to: match.range.upperBound) - 1
            guard let clause = balanced(code, from: open) else { continue }
            result.append(Function(name: name, parameters: parameters(clause)))
        }
        return result
    }

    /// The text between the `(` at `open` and its matching `)`.
    private static func balanced(_ code: [Character], from open: Int) -> String? {
        var depth = 0
        for index in open..<code.count {
            switch code[index] {
            case "(", "[": depth += 1
            case ")", "]":
                depth -= 1
                if depth == 0 { return String(code[(open + 1)..<index]) }
            default: break
            }
        }
        return nil
    }

    /// `label name: Type = default, …` split at top-level commas.
    private static func parameters(_ clause: String) -> [Parameter] {
        var pieces: [String] = []
        var current = ""
        var depth = 0
        var previous: Character = " "
        for character in clause {
            switch character {
            case "(", "[", "<", "{": depth += 1
            case ")", "]", "}": depth -= 1
            case ">" where previous != "-": depth -= 1
            case "," where depth == 0:
                pieces.append(current)
                current = ""
                previous = character
                continue
            default: break
            }
            current.append(character)
            previous = character
        }
        pieces.append(current)
        return pieces.compactMap { piece in
            let trimmed = piece.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, let colon = trimmed.firstIndex(of: ":") else { return nil }
            let names = trimmed[..<colon].split(whereSeparator: \.isWhitespace)
            guard let label = names.first else { return nil }
            var rest = String(trimmed[trimmed.index(after: colon)...])
            var hasDefault = false
            if let equals = topLevelEquals(rest) {
                hasDefault = true
                rest = String(rest[..<equals])
            }
            return Parameter(label: String(label), type: rest.trimmingCharacters(in: .whitespacesAndNewlines), hasDefault: hasDefault)
        }
    }

    private static func topLevelEquals(_ text: String) -> String.Index? {
        var depth = 0
        for index in text.indices {
            switch text[index] {
            case "(", "[", "<", "{": depth += 1
            case ")", "]", "}": depth -= 1
            case ">" where index > text.startIndex && text[text.index(before: index)] != "-": depth -= 1
            case "=" where depth == 0: return index
            default: break
            }
        }
        return nil
    }

    /// `text` with everything inside nested braces removed: the declarations directly in a block.
    private static func topLevel(_ text: ArraySlice<Character>) -> String {
        var depth = 0
        var out = ""
        for character in text {
            if character == "{" { depth += 1 }
            if depth == 0 { out.append(character) }
            if character == "}" { depth -= 1 }
        }
        return out
    }

    /// `source` with comments and string literals (plain, multi-line, raw) turned into spaces, line
    /// breaks kept.
    static func blanked(_ source: String) -> [Character] {
        let chars = Array(source)
        var out = chars
        var i = 0
        func blank(_ range: Range<Int>) {
            for k in range where k < out.count && out[k] != "\n" { out[k] = " " }
        }
        func at(_ k: Int) -> Character? { k < chars.count ? chars[k] : nil }
        while i < chars.count {
            let c = chars[i]
            if c == "/", at(i + 1) == "/" {
                let start = i
                while i < chars.count, chars[i] != "\n" { i += 1 }
                blank(start..<i)
                continue
            }
            if c == "/", at(i + 1) == "*" {
                let start = i
                var depth = 0
                while i < chars.count {
                    if chars[i] == "/", at(i + 1) == "*" { depth += 1; i += 2; continue }
                    if chars[i] == "*", at(i + 1) == "/" { depth -= 1; i += 2; if depth == 0 { break }; continue }
                    i += 1
                }
                blank(start..<i)
                continue
            }
            if c == "#" || c == "\"" {
                var hashes = 0
                var k = i
                while at(k) == "#" { hashes += 1; k += 1 }
                guard at(k) == "\"" else { i += 1; continue }
                let multiLine = at(k + 1) == "\"" && at(k + 2) == "\""
                let quotes = multiLine ? 3 : 1
                let start = i
                k += quotes
                var interpolation = 0
                scan: while k < chars.count {
                    if chars[k] == "\\" {
                        var h = 0
                        while at(k + 1 + h) == "#" { h += 1 }
                        if h == hashes {
                            if at(k + 1 + h) == "(" { interpolation += 1; k += 2 + h; continue }
                            k += 2 + h
                            continue
                        }
                    }
                    if interpolation > 0 {
                        if chars[k] == "(" { interpolation += 1 } else if chars[k] == ")" { interpolation -= 1 }
                        k += 1
                        continue
                    }
                    if chars[k] == "\"" {
                        var q = 0
                        while q < quotes, at(k + q) == "\"" { q += 1 }
                        var h = 0
                        while h < hashes, at(k + q + h) == "#" { h += 1 }
                        if q == quotes, h == hashes {
                            k += q + h
                            break scan
                        }
                    }
                    k += 1
                }
                blank(start..<k)
                i = k
                continue
            }
            i += 1
        }
        return out
    }
}

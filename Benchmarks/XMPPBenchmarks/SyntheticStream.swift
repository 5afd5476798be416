/// A realistic client-side inbound XMPP stream for benchmarks: messages with bodies, presences with
/// entity capabilities (XEP-0115), roster pushes (RFC 6121 §2.1.6) and IQ results (disco#info,
/// vCard), in a fixed pseudo-random mix so every run parses the same bytes.
public enum SyntheticStream {
    public static let header = """
        <?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
        from='example.com' to='juliet@example.com' id='bench-stream' version='1.0' xml:lang='en'>
        """

    /// At least `minimumBytes` of stream: the header and whole stanzas (no closing tag).
    public static func make(minimumBytes: Int) -> (bytes: [UInt8], stanzas: Int) {
        var bytes = Array(header.utf8)
        bytes.reserveCapacity(minimumBytes + 4096)
        var random = SplitMix64(seed: 0x584D_5050)
        var count = 0
        while bytes.count < minimumBytes {
            let stanza: String
            switch random.next() % 10 {
            case 0...3: stanza = message(&random, count)
            case 4...6: stanza = presence(&random, count)
            case 7: stanza = rosterPush(&random, count)
            case 8: stanza = discoResult(count)
            default: stanza = vcardResult(&random, count)
            }
            bytes.append(contentsOf: stanza.utf8)
            count += 1
        }
        return (bytes, count)
    }

    /// `count` messages and presences (no IQs, which a client would answer), without the header.
    public static func messagesAndPresences(count: Int) -> [UInt8] {
        var random = SplitMix64(seed: 0x1A6E57)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 400)
        for index in 0..<count {
            let stanza = random.next() % 2 == 0 ? message(&random, index) : presence(&random, index)
            bytes.append(contentsOf: stanza.utf8)
        }
        return bytes
    }

    private static let words = ["wherefore", "art", "thou", "Romeo", "deny", "thy", "father", "and", "refuse",
                                "name", "or", "if", "wilt", "not", "be", "but", "sworn", "my", "love", "&",
                                "I'll", "no", "longer", "a", "Capulet", "<3", "ⓡⓞⓜⓔⓞ", "Ça", "va"]

    private static func contact(_ r: inout SplitMix64) -> String { "user\(r.next() % 500)@example.com" }

    private static func sentence(_ r: inout SplitMix64, words count: Int) -> String {
        (0..<count).map { _ in escape(words[Int(r.next() % UInt64(words.count))]) }.joined(separator: " ")
    }

    private static func escape(_ s: String) -> String {
        var escaped = ""
        for character in s {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func message(_ r: inout SplitMix64, _ n: Int) -> String {
        """
        <message from='\(contact(&r))/balcony' to='juliet@example.com/chamber' type='chat' id='m\(n)' xml:lang='en'>\
        <body>\(sentence(&r, words: 4 + Int(r.next() % 30)))</body>\
        <active xmlns='http://jabber.org/protocol/chatstates'/>\
        <origin-id xmlns='urn:xmpp:sid:0' id='5a2b\(n)'/></message>
        """
    }

    private static func presence(_ r: inout SplitMix64, _ n: Int) -> String {
        """
        <presence from='\(contact(&r))/phone\(n % 7)' to='juliet@example.com/chamber'>\
        <show>away</show><status>\(sentence(&r, words: 3))</status><priority>5</priority>\
        <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://conversations.im' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>\
        <x xmlns='vcard-temp:x:update'><photo>01b87fcd030b72895ff8e88db57ec525450f000d</photo></x></presence>
        """
    }

    private static func rosterPush(_ r: inout SplitMix64, _ n: Int) -> String {
        """
        <iq type='set' id='push\(n)' to='juliet@example.com/chamber'><query xmlns='jabber:iq:roster' ver='ver\(n)'>\
        <item jid='\(contact(&r))' name='\(sentence(&r, words: 2))' subscription='both'><group>Friends</group></item>\
        </query></iq>
        """
    }

    private static func discoResult(_ n: Int) -> String {
        """
        <iq type='result' id='disco\(n)' from='example.com' to='juliet@example.com/chamber'>\
        <query xmlns='http://jabber.org/protocol/disco#info'><identity category='server' type='im' name='Prosody'/>\
        <feature var='http://jabber.org/protocol/disco#info'/><feature var='jabber:iq:roster'/>\
        <feature var='urn:xmpp:blocking'/><feature var='jabber:iq:last'/><feature var='vcard-temp'/>\
        <feature var='urn:xmpp:ping'/><feature var='jabber:iq:private'/><feature var='urn:xmpp:carbons:2'/></query></iq>
        """
    }

    private static func vcardResult(_ r: inout SplitMix64, _ n: Int) -> String {
        """
        <iq type='result' id='vc\(n)' from='\(contact(&r))' to='juliet@example.com/chamber'><vCard xmlns='vcard-temp'>\
        <FN>\(sentence(&r, words: 2))</FN><NICKNAME>nick\(n)</NICKNAME><TEL><CELL/><NUMBER>+1555\(n)</NUMBER></TEL>\
        <EMAIL><INTERNET/><USERID>u\(n)@example.com</USERID></EMAIL><DESC>\(sentence(&r, words: 12))</DESC></vCard></iq>
        """
    }
}

/// A tiny deterministic generator (Steele, Lea & Flood's SplitMix64), so benchmark input never varies.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

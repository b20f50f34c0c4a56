package gen

// Hash lanes for per-user attributes; each attribute reads its own lane so
// that changing one distribution does not reshuffle the others.
const (
	laneAnon = iota + 1
	laneKnown
	laneUID
	laneVariant
	laneCamel
	laneStyle
	laneUA
	laneLocale
	laneIP
	laneSkew
	laneVertical
	laneName
	laneCreated
)

// message-id styles, mirroring the libraries seen in real archives.
const (
	styleAJSNext = iota // analytics.js "next": ajs-next-<32 hex>
	styleAJS            // classic analytics.js: ajs-<32 hex>
	styleUUID           // mobile/server libraries: plain UUID v4
)

// user is everything stable about one visitor, derived from (seed, index)
// on demand instead of stored, so Users can be millions at no memory cost.
type user struct {
	idx      uint32
	known    bool // has a userId; anonymous visitors send null or nothing
	nullUID  bool // anonymous and sends "userId":null rather than omitting it
	variant  uint8
	camel    bool // sends experimentId/variationId as Optimizely does
	style    uint8
	ua       uint8
	locale   uint8
	vertical uint8 // favourite vertical
	first    uint8
	last     uint8
	skew     int64 // client clock error in ms
	created  int64 // account creation time, ms before the data starts
	anon     [36]byte
	uid      [16]byte
	uidLen   uint8
	ip       [15]byte
	ipLen    uint8
}

// variantOf assigns the experiment arm by the weighted distribution from a
// hash of (seed, user); the same user always lands in the same arm.
func variantOf(seed int64, idx uint32) uint8 {
	return uint8(pickWeighted(variantCum, unit(hashOf(seed, uint64(idx), laneVariant))))
}

var variantCum = cumulative(Experiment.Weights)

func makeUser(seed int64, idx uint32, u *user) {
	id := uint64(idx)
	h := func(lane uint64) uint64 { return hashOf(seed, id, lane) }
	*u = user{idx: idx}
	appendUUID(u.anon[:0], h(laneAnon), h(laneAnon+100))
	k := h(laneKnown)
	u.known = unit(k) < 0.62
	u.nullUID = !u.known && (k>>40)%10 < 6
	u.variant = variantOf(seed, idx)
	u.camel = unit(h(laneCamel)) < 0.10
	s := unit(h(laneStyle))
	switch {
	case s < 0.55:
		u.style = styleAJSNext
	case s < 0.85:
		u.style = styleAJS
	default:
		u.style = styleUUID
	}
	u.ua = uint8(pickWeighted(userAgentCum, unit(h(laneUA))))
	u.locale = uint8(pickWeighted(localeCum, unit(h(laneLocale))))
	u.vertical = uint8(pickWeighted(verticalCum, unit(h(laneVertical))))
	nh := h(laneName)
	u.first = uint8(nh % uint64(len(firstNames)))
	u.last = uint8((nh >> 16) % uint64(len(lastNames)))
	// Most clocks are right; some are off by seconds, a few by hours, which
	// is what Segment's timestamp correction exists for.
	sk := h(laneSkew)
	switch r := unit(sk); {
	case r < 0.80:
	case r < 0.97:
		u.skew = int64((sk>>20)%120_000) - 60_000
	default:
		u.skew = int64((sk>>20)%14_400_000) - 7_200_000
	}
	u.created = int64(h(laneCreated) % (400 * msPerDay))
	uh := h(laneUID)
	var b []byte
	if uh%10 < 3 {
		b = appendUint(u.uid[:0], 100000+(uh>>8)%9_900_000)
	} else {
		b = append(u.uid[:0], "usr_"...)
		const alnum = "0123456789abcdefghijklmnopqrstuvwxyz"
		x := uh >> 4
		for i := 0; i < 10; i++ {
			b = append(b, alnum[x%36])
			x /= 36
		}
	}
	u.uidLen = uint8(len(b))
	ih := h(laneIP)
	b = appendUint(u.ip[:0], 11+ih%212)
	for i := 1; i < 4; i++ {
		b = append(b, '.')
		b = appendUint(b, (ih>>(8*i))%256)
	}
	u.ipLen = uint8(len(b))
}

func appendUint(b []byte, v uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

const hexDigits = "0123456789abcdef"

// appendHex32 writes 128 bits as 32 lowercase hex digits.
func appendHex32(b []byte, a, c uint64) []byte {
	for i := 60; i >= 0; i -= 4 {
		b = append(b, hexDigits[(a>>i)&15])
	}
	for i := 60; i >= 0; i -= 4 {
		b = append(b, hexDigits[(c>>i)&15])
	}
	return b
}

// appendUUID writes a version-4 UUID built from 128 random bits.
func appendUUID(b []byte, a, c uint64) []byte {
	a = a&^(0xf<<12) | 0x4<<12 // version nibble
	c = c&^(0x3<<62) | 0x2<<62 // RFC 4122 variant
	start := len(b)
	b = appendHex32(b, a, c)
	// Insert dashes at 8, 13, 18, 23 by shifting the tail right.
	b = append(b, "----"...)
	h := b[start:]
	copy(h[24:], h[20:32])
	h[23] = '-'
	copy(h[19:23], h[16:20])
	h[18] = '-'
	copy(h[14:18], h[12:16])
	h[13] = '-'
	copy(h[9:13], h[8:12])
	h[8] = '-'
	return b
}

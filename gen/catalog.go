package gen

import (
	"strconv"
)

const site = "https://nectar.shop"

// vertical is one business line of the demo shop. Food dominates, as it does
// for the food-delivery recommender the experiment is about.
type vertical struct {
	name       string
	code       string
	weight     float64
	minCents   int64
	maxCents   int64
	categories []string
	nouns      [][]string // per category
}

var verticals = []vertical{
	{"Food", "FD", 0.40, 299, 4599, []string{"Pizza", "Sushi", "Burgers", "Salads", "Desserts", "Groceries"}, [][]string{
		{"Margherita Pizza", "Pepperoni Pizza", "Truffle Mushroom Pizza", "Four Cheese Pizza"},
		{"Salmon Nigiri Set", "Spicy Tuna Roll", "Dragon Roll", "Chirashi Bowl"},
		{"Smash Burger", "Veggie Burger", "Double Cheeseburger", "Chicken Burger"},
		{"Caesar Salad", "Greek Salad", "Quinoa Bowl", "Poke Bowl"},
		{"Tiramisu", "Cheesecake Slice", "Chocolate Brownie", "Matcha Ice Cream"},
		{"Organic Bananas", "Sourdough Loaf", "Free-Range Eggs", "Oat Milk"},
	}},
	{"Fashion", "FA", 0.20, 1499, 17999, []string{"Shoes", "Jackets", "Dresses", "Accessories"}, [][]string{
		{"Running Sneakers", "Leather Boots", "Canvas Trainers", "Suede Loafers"},
		{"Denim Jacket", "Puffer Jacket", "Rain Shell", "Wool Overcoat"},
		{"Wrap Dress", "Linen Midi Dress", "Knit Dress", "Slip Dress"},
		{"Leather Belt", "Silk Scarf", "Canvas Tote", "Aviator Sunglasses"},
	}},
	{"Electronics", "EL", 0.16, 1999, 149999, []string{"Audio", "Phones", "Computers", "Wearables"}, [][]string{
		{"Wireless Earbuds", "Noise-Cancelling Headphones", "Bluetooth Speaker", "Soundbar"},
		{"Phone Case", "USB-C Charger", "Smartphone 128GB", "Power Bank"},
		{"13-inch Laptop", "Mechanical Keyboard", "4K Monitor", "Wireless Mouse"},
		{"Fitness Tracker", "Smartwatch", "Sleep Band", "GPS Watch"},
	}},
	{"Home", "HM", 0.14, 999, 39999, []string{"Kitchen", "Decor", "Bedding", "Garden"}, [][]string{
		{"Chef Knife", "Cast Iron Skillet", "French Press", "Stand Mixer"},
		{"Ceramic Vase", "Wall Clock", "Table Lamp", "Framed Print"},
		{"Linen Duvet Cover", "Memory Foam Pillow", "Wool Throw", "Cotton Sheet Set"},
		{"Herb Planter", "Garden Hose", "Solar Lantern", "Pruning Shears"},
	}},
	{"Beauty", "BT", 0.10, 499, 8999, []string{"Skincare", "Makeup", "Hair", "Fragrance"}, [][]string{
		{"Vitamin C Serum", "Daily Moisturiser", "Clay Mask", "Sunscreen SPF 50"},
		{"Matte Lipstick", "Volume Mascara", "Liquid Foundation", "Eyeshadow Palette"},
		{"Argan Hair Oil", "Repair Shampoo", "Curl Cream", "Dry Shampoo"},
		{"Eau de Parfum", "Body Mist", "Solid Perfume", "Cologne"},
	}},
}

var verticalCum = func() []float64 {
	w := make([]float64, len(verticals))
	for i, v := range verticals {
		w[i] = v.weight
	}
	return cumulative(w)
}()

var adjectives = []string{"Classic", "Premium", "Organic", "Deluxe", "Everyday", "Signature", "Limited", "Eco", "Family", "Mini"}

// productsPerVertical keeps product ids within uint16 in event descriptors.
const productsPerVertical = 120

// product holds pre-rendered JSON fragments so that hot-loop rendering is
// plain appends. Fragments follow the archiver's alphabetical key order:
// category, name | position | price, product_id | quantity |
// recommender | sku, url, vertical.
type product struct {
	vertical   int
	cents      int64
	fragA      []byte // "category":..,"name":..
	fragB      []byte // "price":..,"product_id":..
	fragBDrift []byte // fragB with the price as a string
	fragC      []byte // "sku":..,"url":..,"vertical":..
	path       string
	title      string
}

type catalog struct {
	products []product // vertical v owns [v*productsPerVertical, (v+1)*productsPerVertical)
}

func newCatalog(seed int64) *catalog {
	c := &catalog{products: make([]product, 0, len(verticals)*productsPerVertical)}
	for vi, v := range verticals {
		for i := 0; i < productsPerVertical; i++ {
			id := uint64(vi*productsPerVertical + i)
			h1, h2 := hashOf(seed, id, 100), hashOf(seed, id, 101)
			ci := int(h1 % uint64(len(v.categories)))
			noun := v.nouns[ci][(h1>>8)%uint64(len(v.nouns[ci]))]
			name := adjectives[(h1>>16)%uint64(len(adjectives))] + " " + noun
			// Log-uniform-ish prices: most products are cheap, a few are not.
			span := float64(v.maxCents - v.minCents)
			u := unit(h2)
			cents := v.minCents + int64(span*u*u)
			pid := hex24(h1, h2)
			sku := v.code + "-" + strconv.FormatUint(1000+h2%9000, 10) + "-" + strconv.FormatUint(10+(h2>>20)%90, 10)
			slug := slugify(name) + "-" + pid[18:]
			p := product{vertical: vi, cents: cents, path: "/p/" + slug, title: name + " | Nectar Market"}
			b := []byte(`"category":`)
			b = strconv.AppendQuote(b, v.categories[ci])
			b = append(b, `,"name":`...)
			b = strconv.AppendQuote(b, name)
			p.fragA = b
			b = []byte(`"price":`)
			b = appendCents(b, cents)
			b = append(b, `,"product_id":"`...)
			b = append(b, pid...)
			b = append(b, '"')
			p.fragB = b
			b = []byte(`"price":"`)
			b = appendCents(b, cents)
			b = append(b, `","product_id":"`...)
			b = append(b, pid...)
			b = append(b, '"')
			p.fragBDrift = b
			b = []byte(`"sku":"`)
			b = append(b, sku...)
			b = append(b, `","url":"`...)
			b = append(b, site...)
			b = append(b, p.path...)
			b = append(b, `","vertical":"`...)
			b = append(b, v.name...)
			b = append(b, '"')
			p.fragC = b
			c.products = append(c.products, p)
		}
	}
	return c
}

func hex24(a, b uint64) string {
	var buf [24]byte
	const digits = "0123456789abcdef"
	for i := 0; i < 16; i++ {
		buf[i] = digits[(a>>(4*i))&15]
	}
	for i := 0; i < 8; i++ {
		buf[16+i] = digits[(b>>(4*i))&15]
	}
	return string(buf[:])
}

func slugify(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			out = append(out, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			out = append(out, c)
		default:
			if len(out) > 0 && out[len(out)-1] != '-' {
				out = append(out, '-')
			}
		}
	}
	return string(out)
}

// appendCents writes an amount in cents as a JSON number with two decimals.
// Amounts are kept in integer cents so that revenue is exactly the sum of
// price*quantity, which a query can check.
func appendCents(b []byte, cents int64) []byte {
	b = strconv.AppendInt(b, cents/100, 10)
	c := cents % 100
	return append(b, '.', byte('0'+c/10), byte('0'+c%10))
}

// userAgent is a browser profile. Chrome-family desktop browsers also send
// userAgentData (client hints), as in the real sample.
type userAgent struct {
	ua       string
	os       string
	mobile   bool
	hints    string // pre-rendered userAgentData object, or ""
	weight   float64
	device   string // pre-rendered device object for mobile, or ""
	platform string
}

var userAgents = []userAgent{
	{ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.96 Safari/537.36", os: "Windows", weight: 0.26, platform: "Windows"},
	{ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_3) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.96 Safari/537.36", os: "Mac OS X", weight: 0.14, platform: "macOS"},
	{ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0.3 Safari/605.1.15", os: "Mac OS X", weight: 0.09},
	{ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1", os: "iOS", mobile: true, weight: 0.22},
	{ua: "Mozilla/5.0 (Linux; Android 9; SM-G960F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.105 Mobile Safari/537.36", os: "Android", mobile: true, weight: 0.16, platform: "Android"},
	{ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:65.0) Gecko/20100101 Firefox/65.0", os: "Windows", weight: 0.06},
	{ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/64.0.3282.140 Safari/537.36 Edge/18.17763", os: "Windows", weight: 0.04},
	{ua: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.81 Safari/537.36", os: "Linux", weight: 0.03, platform: "Linux"},
}

var userAgentCum = func() []float64 {
	w := make([]float64, len(userAgents))
	for i := range userAgents {
		ua := &userAgents[i]
		w[i] = ua.weight
		if ua.platform != "" {
			mobile := "false"
			if ua.mobile {
				mobile = "true"
			}
			ua.hints = `{"brands":[{"brand":"Google Chrome","version":"72"},{"brand":"Chromium","version":"72"},{"brand":"Not?A_Brand","version":"24"}],"mobile":` +
				mobile + `,"platform":"` + ua.platform + `"}`
		}
		switch ua.os {
		case "iOS":
			ua.device = `{"manufacturer":"Apple","model":"iPhone","type":"mobile"}`
		case "Android":
			ua.device = `{"manufacturer":"Samsung","model":"SM-G960F","type":"mobile"}`
		}
	}
	return cumulative(w)
}()

type localeZone struct {
	locale, zone string
	weight       float64
}

var localeZones = []localeZone{
	{"en-US", "America/New_York", 0.28},
	{"en-US", "America/Chicago", 0.14},
	{"en-US", "America/Los_Angeles", 0.18},
	{"en-US", "America/Denver", 0.05},
	{"es-US", "America/Los_Angeles", 0.04},
	{"en-CA", "America/Toronto", 0.06},
	{"es-MX", "America/Mexico_City", 0.05},
	{"pt-BR", "America/Sao_Paulo", 0.05},
	{"en-GB", "Europe/London", 0.07},
	{"de-DE", "Europe/Berlin", 0.04},
	{"fr-FR", "Europe/Paris", 0.04},
}

var localeCum = func() []float64 {
	w := make([]float64, len(localeZones))
	for i, l := range localeZones {
		w[i] = l.weight
	}
	return cumulative(w)
}()

// referrers for a session's landing page; "" is direct traffic.
var referrers = []string{"", "", "https://www.google.com/", "https://www.google.com/", "https://www.facebook.com/",
	"https://www.instagram.com/", "https://t.co/", "https://www.bing.com/", "https://mail.google.com/"}

// campaign is a UTM campaign; analytics.js parses it from the landing URL
// into context.campaign, so it appears only on events of the landing page.
type campaign struct {
	json   string // pre-rendered context.campaign object
	name   string // its name as a JSON string, for drifting files
	search string // the landing page's query string
}

var campaigns = func() []campaign {
	raw := [][5]string{ // content, medium, name, source, term
		{"", "cpc", "winter_food_deals", "google", "food delivery"},
		{"carousel_2", "paid_social", "valentines_gifts", "facebook", ""},
		{"", "email", "weekly_digest", "newsletter", ""},
		{"story", "paid_social", "new_in_fashion", "instagram", ""},
		{"", "cpc", "brand", "bing", "nectar market"},
	}
	out := make([]campaign, len(raw))
	for i, r := range raw {
		b := []byte{'{'}
		q := []byte("?")
		keys := []string{"content", "medium", "name", "source", "term"}
		utm := []string{"utm_content", "utm_medium", "utm_campaign", "utm_source", "utm_term"}
		first := true
		for k, v := range r {
			if v == "" {
				continue
			}
			if !first {
				b = append(b, ',')
				q = append(q, '&')
			}
			first = false
			b = strconv.AppendQuote(b, keys[k])
			b = append(b, ':')
			b = strconv.AppendQuote(b, v)
			q = append(q, utm[k]...)
			q = append(q, '=')
			for _, c := range []byte(v) {
				if c == ' ' {
					c = '+'
				}
				q = append(q, c)
			}
		}
		b = append(b, '}')
		out[i] = campaign{json: string(b), name: strconv.Quote(r[2]), search: string(q)}
	}
	return out
}()

var firstNames = []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sophia", "Lucas", "Mia", "Ethan", "Isabella", "Aiden", "Amara", "Hiro", "Priya", "Chen"}
var lastNames = []string{"Smith", "Johnson", "Garcia", "Brown", "Nguyen", "Martinez", "Lee", "Patel", "Kim", "Müller", "Rossi", "Silva", "O'Brien", "Dubois"}

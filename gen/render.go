package gen

// renderer turns event descriptors into archiver-shaped JSON lines. All
// fields are appended by hand in Segment's alphabetical key order; nothing
// here allocates.
type renderer struct {
	cat       *catalog
	projectID string
	sessions  []session
	drift     bool // render as Options.DriftFiles describes
}

var eventNames = [...]string{
	kExperiment:      "Experiment Viewed",
	kProductViewed:   "Product Viewed",
	kProductClicked:  "Product Clicked",
	kAddedToCart:     "Added to Cart",
	kCartViewed:      "Cart Viewed",
	kCheckoutStarted: "Checkout Started",
	kOrderCompleted:  "Order Completed",
}

var pageNames = [...]string{pgHome: "Home", pgCategory: "Category", pgProduct: "Product", pgCart: "Cart", pgCheckout: "Checkout", pgConfirmation: "Order Confirmation"}

var categoryPaths = func() []string {
	out := make([]string, len(verticals))
	for i, v := range verticals {
		out[i] = "/c/" + slugify(v.name)
	}
	return out
}()

const (
	metadataJSON = `{"_metadata":{"bundled":["Segment.io"],"bundledIds":[],"unbundled":[]},"anonymousId":"`
	variationA   = "Food recommender: collaborative filtering (A)"
	variationB   = "Food recommender: sequence model (B)"
)

var libraries = [...]string{
	styleAJSNext: `{"name":"analytics.js","version":"npm:next-1.61.0"}`,
	styleAJS:     `{"name":"analytics.js","version":"3.7.2"}`,
	styleUUID:    `{"name":"analytics-react-native","version":"1.1.0"}`,
}

// modelVersions are the recommender builds serving each variant.
var modelVersions = [...]string{"cf-2019.01.21", "seq-2019.01.29"}

func (rd *renderer) pagePath(b []byte, page uint8, arg uint16) []byte {
	switch page {
	case pgHome:
		return append(b, '/')
	case pgCategory:
		return append(b, categoryPaths[arg]...)
	case pgProduct:
		return append(b, rd.cat.products[arg].path...)
	case pgCart:
		return append(b, "/cart"...)
	case pgCheckout:
		return append(b, "/checkout"...)
	default:
		return append(b, "/checkout/confirmation"...)
	}
}

func (rd *renderer) pageTitle(b []byte, page uint8, arg uint16) []byte {
	switch page {
	case pgHome:
		return append(b, "Nectar Market"...)
	case pgCategory:
		b = append(b, verticals[arg].name...)
		return append(b, " | Nectar Market"...)
	case pgProduct:
		return append(b, rd.cat.products[arg].title...)
	case pgCart:
		return append(b, "Your cart | Nectar Market"...)
	case pgCheckout:
		return append(b, "Checkout | Nectar Market"...)
	default:
		return append(b, "Order confirmed | Nectar Market"...)
	}
}

// appendPage writes the {path, referrer, search, title, url} object shared by
// context.page and page-call properties.
func (rd *renderer) appendPage(b []byte, e *event, s *session) []byte {
	search := ""
	if e.landing && s.campaign >= 0 {
		search = campaigns[s.campaign].search
	}
	b = append(b, `{"path":"`...)
	b = rd.pagePath(b, e.page, e.pageArg)
	b = append(b, `","referrer":"`...)
	if e.prev == 255 {
		b = append(b, referrers[s.referrer]...)
	} else {
		b = append(b, site...)
		b = rd.pagePath(b, e.prev, e.prevArg)
	}
	b = append(b, `","search":"`...)
	b = append(b, search...)
	b = append(b, `","title":"`...)
	b = rd.pageTitle(b, e.page, e.pageArg)
	b = append(b, `","url":"`...)
	b = append(b, site...)
	b = rd.pagePath(b, e.page, e.pageArg)
	b = append(b, search...)
	return append(b, `"}`...)
}

func (rd *renderer) render(b []byte, e *event) []byte {
	s := &rd.sessions[e.sess]
	u := &s.user
	ua := &userAgents[u.ua]
	lz := &localeZones[u.locale]

	b = append(b, metadataJSON...)
	b = append(b, u.anon[:]...)
	b = append(b, `","channel":"client","context":{`...)
	if e.landing && s.campaign >= 0 {
		b = append(b, `"campaign":`...)
		if rd.drift {
			b = append(b, campaigns[s.campaign].name...)
		} else {
			b = append(b, campaigns[s.campaign].json...)
		}
		b = append(b, ',')
	}
	// Only the mobile SDK reports a device; analytics.js on a phone does not.
	if ua.device != "" && u.style == styleUUID {
		b = append(b, `"device":`...)
		b = append(b, ua.device...)
		b = append(b, ',')
	}
	b = append(b, `"ip":"`...)
	b = append(b, u.ip[:u.ipLen]...)
	b = append(b, `","library":`...)
	b = append(b, libraries[u.style]...)
	b = append(b, `,"locale":"`...)
	b = append(b, lz.locale...)
	b = append(b, `","os":{"name":"`...)
	b = append(b, ua.os...)
	b = append(b, `"},"page":`...)
	b = rd.appendPage(b, e, s)
	b = append(b, `,"timezone":"`...)
	b = append(b, lz.zone...)
	b = append(b, `","userAgent":"`...)
	b = append(b, ua.ua...)
	b = append(b, '"')
	// Client hints (userAgentData) are collected by analytics.js "next" only.
	if ua.hints != "" && u.style == styleAJSNext {
		b = append(b, `,"userAgentData":`...)
		b = append(b, ua.hints...)
	}
	b = append(b, "},"...)

	if e.kind != kPage && e.kind != kIdentify {
		b = append(b, `"event":"`...)
		b = append(b, eventNames[e.kind]...)
		b = append(b, `",`...)
	}
	b = append(b, `"integrations":{},"messageId":"`...)
	a, c := e.rnd, mix64(e.rnd)
	switch u.style {
	case styleAJSNext:
		b = append(b, "ajs-next-"...)
		b = appendHex32(b, a, c)
	case styleAJS:
		b = append(b, "ajs-"...)
		b = appendHex32(b, a, c)
	default:
		b = appendUUID(b, a, c)
	}
	b = append(b, `",`...)
	if e.kind == kPage {
		b = append(b, `"name":"`...)
		b = append(b, pageNames[e.page]...)
		b = append(b, `",`...)
	}
	orig, sent := e.t+u.skew, e.send+u.skew
	b = append(b, `"originalTimestamp":"`...)
	b = appendTime(b, orig)
	b = append(b, `","projectId":"`...)
	b = append(b, rd.projectID...)
	b = append(b, `",`...)
	if e.kind != kIdentify {
		b = append(b, `"properties":`...)
		b = rd.appendProperties(b, e, s)
		b = append(b, ',')
	}
	b = append(b, `"receivedAt":"`...)
	b = appendTime(b, e.recv)
	b = append(b, `","sentAt":"`...)
	b = appendTime(b, sent)
	// Segment's clock-skew correction: timestamp = receivedAt − (sentAt − originalTimestamp).
	b = append(b, `","timestamp":"`...)
	b = appendTime(b, e.recv-(sent-orig))
	b = append(b, `",`...)
	switch e.kind {
	case kIdentify:
		b = rd.appendTraits(b, u)
		b = append(b, `,"type":"identify",`...)
	case kPage:
		b = append(b, `"type":"page",`...)
	default:
		b = append(b, `"type":"track",`...)
	}
	switch {
	case u.known:
		b = append(b, `"userId":"`...)
		b = append(b, u.uid[:u.uidLen]...)
		b = append(b, `",`...)
	case u.nullUID:
		b = append(b, `"userId":null,`...)
	}
	if rd.drift {
		b = append(b, `"version":2,"writeKey":"`...)
		b = append(b, rd.projectID...)
		return append(b, `"}`...)
	}
	return append(b, `"version":2}`...)
}

// fragB is a product's price and id, with the price as a string when the
// file drifts.
func (rd *renderer) fragB(p *product) []byte {
	if rd.drift {
		return p.fragBDrift
	}
	return p.fragB
}

func (rd *renderer) appendTraits(b []byte, u *user) []byte {
	first, last := firstNames[u.first], lastNames[u.last]
	b = append(b, `"traits":{"createdAt":"`...)
	b = appendTime(b, toMS(DefaultStart)-u.created)
	b = append(b, `","email":"`...)
	b = appendASCIILower(b, first)
	b = append(b, '.')
	b = appendASCIILower(b, last)
	b = appendUint(b, uint64(u.idx%1000))
	// Names hold no characters that JSON needs escaped.
	b = append(b, `@example.com","firstName":"`...)
	b = append(b, first...)
	b = append(b, `","lastName":"`...)
	b = append(b, last...)
	b = append(b, `","name":"`...)
	b = append(b, first...)
	b = append(b, ' ')
	b = append(b, last...)
	b = append(b, `","plan":"`...)
	if u.idx%5 == 0 {
		b = append(b, "plus"...)
	} else {
		b = append(b, "free"...)
	}
	b = append(b, `","preferred_vertical":"`...)
	b = append(b, verticals[u.vertical].name...)
	return append(b, `"}`...)
}

// appendASCIILower keeps e-mail local parts ASCII ("Müller" → "mller").
func appendASCIILower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case c >= 'a' && c <= 'z':
			b = append(b, c)
		}
	}
	return b
}

func (rd *renderer) appendProperties(b []byte, e *event, s *session) []byte {
	u := &s.user
	switch e.kind {
	case kPage:
		return rd.appendPage(b, e, s)
	case kExperiment:
		name := variationA
		if u.variant == 1 {
			name = variationB
		}
		if u.camel {
			b = append(b, `{"experimentId":"`...)
			b = append(b, Experiment.ID...)
			b = append(b, `","experimentName":"Food recommendations","nonInteraction":1,"variationId":"`...)
			b = append(b, Experiment.Variants[u.variant]...)
			b = append(b, `","variationName":"`...)
		} else {
			b = append(b, `{"experiment_id":"`...)
			b = append(b, Experiment.ID...)
			b = append(b, `","experiment_name":"Food recommendations","variation_id":"`...)
			b = append(b, Experiment.Variants[u.variant]...)
			b = append(b, `","variation_name":"`...)
		}
		b = append(b, name...)
		return append(b, `"}`...)
	case kProductViewed, kProductClicked, kAddedToCart:
		p := &rd.cat.products[e.prods[0]]
		b = append(b, '{')
		if e.kind == kAddedToCart {
			b = append(b, `"cart_id":"`...)
			b = appendHex32(b, s.cartID, 0)
			b = append(b, `",`...)
		}
		b = append(b, p.fragA...)
		b = append(b, `,"position":`...)
		b = appendUint(b, uint64(e.slot))
		b = append(b, ',')
		b = append(b, rd.fragB(p)...)
		b = append(b, `,"quantity":`...)
		b = appendUint(b, uint64(max(e.qty[0], 1)))
		if e.rec {
			b = append(b, `,"recommender":{"model_version":"`...)
			b = append(b, modelVersions[u.variant]...)
			b = append(b, `","slot":`...)
			b = appendUint(b, uint64(e.slot))
			b = append(b, `,"variant":"`...)
			b = append(b, Experiment.Variants[u.variant]...)
			b = append(b, `"}`...)
		}
		b = append(b, ',')
		b = append(b, p.fragC...)
		return append(b, '}')
	}
	// Cart Viewed, Checkout Started, Order Completed share the products array.
	var revenue int64
	for i := 0; i < int(e.np); i++ {
		revenue += rd.cat.products[e.prods[i]].cents * int64(e.qty[i])
	}
	b = append(b, '{')
	if e.kind == kCartViewed {
		b = append(b, `"cart_id":"`...)
		b = appendHex32(b, s.cartID, 0)
		b = append(b, `",`...)
	} else {
		b = append(b, `"checkout_id":"`...)
		b = appendHex32(b, s.cartID, mix64(s.cartID))
		b = append(b, `","currency":"USD",`...)
	}
	if e.kind == kOrderCompleted {
		b = append(b, `"order_id":"`...)
		b = appendUint(b, 10_000_000+s.cartID%90_000_000)
		b = append(b, `",`...)
	}
	b = append(b, `"products":[`...)
	for i := 0; i < int(e.np); i++ {
		p := &rd.cat.products[e.prods[i]]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		b = append(b, p.fragA...)
		b = append(b, ',')
		b = append(b, rd.fragB(p)...)
		b = append(b, `,"quantity":`...)
		b = appendUint(b, uint64(e.qty[i]))
		b = append(b, ',')
		b = append(b, p.fragC...)
		b = append(b, '}')
	}
	b = append(b, `],"revenue":`...)
	b = appendCents(b, revenue)
	if e.kind == kOrderCompleted {
		shipping := int64(499)
		if revenue >= 5000 {
			shipping = 0 // free shipping over $50
		}
		tax := (revenue*8 + 50) / 100 // 8% sales tax, rounded to the cent
		b = append(b, `,"shipping":`...)
		b = appendCents(b, shipping)
		b = append(b, `,"tax":`...)
		b = appendCents(b, tax)
		b = append(b, `,"total":`...)
		b = appendCents(b, revenue+shipping+tax)
	}
	b = append(b, `,"vertical":"`...)
	b = append(b, verticals[rd.cat.products[e.prods[0]].vertical].name...)
	return append(b, `"}`...)
}

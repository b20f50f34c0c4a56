package gen

import (
	"cmp"
	"slices"
)

// Event kinds.
const (
	kExperiment uint8 = iota
	kPage
	kIdentify
	kProductViewed
	kProductClicked
	kAddedToCart
	kCartViewed
	kCheckoutStarted
	kOrderCompleted
)

// Page kinds; pageArg is a product index for pgProduct and a vertical for
// pgCategory.
const (
	pgHome uint8 = iota
	pgCategory
	pgProduct
	pgCart
	pgCheckout
	pgConfirmation
)

// funnel holds per-variant conversion rates, indexed by variant. Model_B's
// recommender is a bit better at getting clicks and at getting carts with
// its products through checkout, the effect an A/B report should find.
type funnel struct {
	clickRec   [2]float64 // P(click | recommended product viewed)
	clickOther float64    // P(click | other product viewed)
	addRec     [2]float64 // P(add to cart | clicked recommended product)
	addOther   float64
	cartView   float64 // P(view cart | cart not empty at end of browsing)
	checkout   float64 // P(checkout | cart viewed)
	order      [2]float64
}

var rates = funnel{
	clickRec:   [2]float64{0.11, 0.14},
	clickOther: 0.09,
	addRec:     [2]float64{0.34, 0.38},
	addOther:   0.30,
	cartView:   0.72,
	checkout:   0.62,
	order:      [2]float64{0.55, 0.63},
}

// event is a compact descriptor: the session generator fills these for a
// chunk, they are sorted by receivedAt (the archiver writes in arrival
// order), then rendered. Keeping JSON out of this phase makes the sort cheap.
type event struct {
	recv, t, send int64 // receivedAt, true event time, true send time (ms)
	rnd           uint64
	sess          int32
	kind          uint8
	page, prev    uint8
	rec           bool
	landing       bool // current page is the session's landing page
	slot          uint8
	np            uint8
	pageArg       uint16
	prevArg       uint16
	prods         [4]uint16
	qty           [4]uint8
}

type session struct {
	user     user
	referrer uint8
	campaign int8 // -1: none
	cartID   uint64
}

// chunkGen generates the events of one chunk of a file.
type chunkGen struct {
	r        *rng
	seed     int64
	users    int
	cat      *catalog
	events   []event
	sessions []session
	dayStart int64 // floor for receivedAt: the day folder's midnight
	dayEnd   int64 // receivedAt must stay below this
	midnight int64 // the day's midnight, for quantile → time
	qlo, qhi float64
	late     bool // may start sessions shortly before dayStart (queued delivery)
	budget   int
}

// run appends exactly n events (fewer only if the day is too short to hold
// them, which cannot happen for sane option values) and sorts them.
func (g *chunkGen) run(n int) {
	g.events = g.events[:0]
	g.sessions = g.sessions[:0]
	g.budget = n
	for tries := 0; g.budget > 0 && tries < 4*n+100; tries++ {
		g.session()
	}
	slices.SortStableFunc(g.events, func(a, b event) int { return cmp.Compare(a.recv, b.recv) })
}

// pickUser skews activity: the product of two uniforms has density -ln(x),
// so low-index users return often and the tail visits once or twice.
func (g *chunkGen) pickUser() uint32 {
	x := g.r.float() * g.r.float()
	return uint32(min(int(x*float64(g.users)), g.users-1))
}

type sessState struct {
	g       *chunkGen
	si      int32
	t       int64
	page    uint8
	pageArg uint16
	prev    uint8
	prevArg uint16
	landing bool
	done    bool
	emitted int
}

func (s *sessState) emit(kind uint8, fill func(e *event)) bool {
	g := s.g
	if s.done || g.budget == 0 {
		s.done = true
		return false
	}
	r := g.r
	delay := r.between(4, 350)
	if r.chance(0.03) {
		delay = r.between(1_000, 30_000) // retried or batched delivery
	}
	send := s.t + delay
	if send < g.dayStart {
		// Queued before midnight, flushed after: the event's timestamp falls
		// on the previous day while the folder is today's.
		send = g.dayStart + r.between(0, 3_000)
	}
	recv := send + r.between(30, 700)
	if recv >= g.dayEnd {
		s.done = true
		return false
	}
	// Fill in place: passing a local's address to fill would move it to the heap.
	g.events = append(g.events, event{recv: recv, t: s.t, send: send, rnd: r.next(), sess: s.si, kind: kind,
		page: s.page, pageArg: s.pageArg, prev: s.prev, prevArg: s.prevArg, landing: s.landing})
	if fill != nil {
		fill(&g.events[len(g.events)-1])
	}
	g.budget--
	s.emitted++
	return true
}

func (s *sessState) wait(lo, hi int64) { s.t += s.g.r.between(lo, hi) }

func (s *sessState) navigate(page uint8, arg uint16) {
	s.prev, s.prevArg = s.page, s.pageArg
	s.page, s.pageArg = page, arg
	s.landing = false
}

// session simulates one visit: Experiment Viewed, the landing page, maybe an
// identify, rounds of browsing with recommender impressions, then the
// cart → checkout → order funnel with drop-off at each step.
func (g *chunkGen) session() {
	r := g.r
	q := g.qlo + (g.qhi-g.qlo)*r.float()
	start := g.midnight + offsetAt(q)
	if g.late && r.chance(0.02) {
		start = g.dayStart - r.between(1_000, 600_000)
	}
	si := int32(len(g.sessions))
	g.sessions = append(g.sessions, session{campaign: -1})
	ss := &g.sessions[si]
	makeUser(g.seed, g.pickUser(), &ss.user)
	u := &ss.user
	ss.referrer = uint8(r.intn(len(referrers)))
	if r.chance(0.25) {
		ss.campaign = int8(r.intn(len(campaigns)))
	}
	ss.cartID = r.next()
	s := sessState{g: g, si: si, t: start, landing: true}
	// Landing page: home, a category, or straight onto a product.
	fav := int(u.vertical)
	switch x := r.float(); {
	case x < 0.45:
		s.page = pgHome
	case x < 0.75:
		s.page, s.pageArg = pgCategory, uint16(fav)
	default:
		s.page, s.pageArg = pgProduct, uint16(g.pickProduct(fav))
	}
	s.prev = 255 // no previous page: referrer is external
	v := int(u.variant)

	s.emit(kExperiment, nil)
	s.wait(20, 400)
	s.emit(kPage, nil)
	if u.known && r.chance(0.7) {
		s.wait(200, 3_000)
		s.emit(kIdentify, nil)
	}
	var cart [4]uint16
	var qty [4]uint8
	var cartRec [4]bool
	nCart := 0
	rounds := 1
	for rounds < 16 && r.chance(0.82) {
		rounds++
	}
	for i := 0; i < rounds && !s.done; i++ {
		if i > 0 && r.chance(0.08) {
			s.wait(3_000, 25_000)
			s.navigate(pgCategory, uint16(g.pickVertical(fav)))
			s.emit(kPage, nil)
		}
		s.wait(2_000, 45_000)
		p := uint16(g.pickProduct(fav))
		rec := r.chance(0.65)
		slot := uint8(1 + r.intn(8))
		if !s.emit(kProductViewed, func(e *event) { e.prods[0], e.np, e.rec, e.slot = p, 1, rec, slot }) {
			break
		}
		pc, pa := rates.clickOther, rates.addOther
		if rec {
			pc, pa = rates.clickRec[v], rates.addRec[v]
		}
		if !r.chance(pc) {
			continue
		}
		s.wait(1_000, 9_000)
		s.emit(kProductClicked, func(e *event) { e.prods[0], e.np, e.rec, e.slot = p, 1, rec, slot })
		s.wait(150, 900)
		s.navigate(pgProduct, p)
		s.emit(kPage, nil)
		if !r.chance(pa) || nCart == len(cart) {
			continue
		}
		s.wait(5_000, 60_000)
		qn := uint8(1)
		if r.chance(0.3) {
			qn = uint8(2 + r.intn(3))
		}
		if s.emit(kAddedToCart, func(e *event) { e.prods[0], e.qty[0], e.np, e.rec, e.slot = p, qn, 1, rec, slot }) {
			cart[nCart], qty[nCart], cartRec[nCart] = p, qn, rec
			nCart++
		}
	}
	if nCart > 0 && !s.done && r.chance(rates.cartView) {
		fillCart := func(e *event) { e.np, e.prods, e.qty = uint8(nCart), cart, qty }
		s.wait(3_000, 40_000)
		s.navigate(pgCart, 0)
		s.emit(kPage, nil)
		s.wait(200, 2_000)
		s.emit(kCartViewed, fillCart)
		if r.chance(rates.checkout) {
			s.wait(5_000, 60_000)
			s.emit(kCheckoutStarted, fillCart)
			s.wait(200, 1_500)
			s.navigate(pgCheckout, 0)
			s.emit(kPage, nil)
			// Carts holding the variant's recommendations convert at the
			// variant's rate; others at Model_A's, so the lift is causal.
			po := rates.order[0]
			for i := 0; i < nCart; i++ {
				if cartRec[i] {
					po = rates.order[v]
				}
			}
			if r.chance(po) {
				s.wait(20_000, 240_000)
				s.emit(kOrderCompleted, fillCart)
				s.wait(300, 1_500)
				s.navigate(pgConfirmation, 0)
				s.emit(kPage, nil)
			}
		}
	}
	if s.emitted == 0 {
		g.sessions = g.sessions[:si]
	}
}

// pickVertical keeps most browsing in the user's favourite vertical.
func (g *chunkGen) pickVertical(fav int) int {
	if g.r.chance(0.8) {
		return fav
	}
	return pickWeighted(verticalCum, g.r.float())
}

// pickProduct favours each vertical's first products (best sellers).
func (g *chunkGen) pickProduct(fav int) int {
	vi := g.pickVertical(fav)
	x := g.r.float()
	return vi*productsPerVertical + int(x*x*productsPerVertical)
}

package fairness

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/mlc-project/mlc/gate/report"
)

// assess turns one protected column's tallies into figures and checks them
// against the limits.
func assess(col string, tallies map[string]*tally, opt Options) (Attribute, error) {
	a := Attribute{Column: col}
	model := opt.Prediction != ""
	var rates, tprs, fprs []float64
	for _, value := range slices.Sorted(maps.Keys(tallies)) {
		t := tallies[value]
		if t.weight == 0 {
			return a, fmt.Errorf("group %q has a total weight of 0; its selection rate is undefined", value)
		}
		g := Group{Value: value, Rows: t.rows, Weight: t.weight, SelectionRate: t.selected / t.weight}
		rates = append(rates, g.SelectionRate)
		if model {
			tpr, fpr := rate(t.tp, t.positives), rate(t.fp, t.negatives)
			g.TruePositive, g.FalsePositive = &tpr, &fpr
			tprs, fprs = append(tprs, tpr), append(fprs, fpr)
			if t.positives == 0 {
				a.Notes = append(a.Notes, fmt.Sprintf("group %q has no positive labels: its true positive rate counts as 0 (as in Fairlearn)", value))
			}
		}
		a.Groups = append(a.Groups, g)
	}
	if len(a.Groups) == 1 {
		a.Notes = append(a.Notes, "only one group: there is nothing to compare it with")
	}

	lo, hi := slices.Min(rates), slices.Max(rates)
	a.ParityDifference = hi - lo
	a.ParityRatio = ratio(lo, hi)
	a.DisparateImpact = a.ParityRatio
	if group, ok := opt.Privileged[col]; ok {
		if err := a.privileged(tallies, group); err != nil {
			return a, err
		}
	}
	if model {
		eop := spread(tprs)
		eo := math.Max(eop, spread(fprs))
		a.EqualOpportunityDifference, a.EqualizedOddsDifference = &eop, &eo
	}
	a.check(opt.Limits)
	return a, nil
}

// privileged computes AIF360's disparate impact and statistical parity
// difference of the pooled unprivileged rows against the privileged group.
func (a *Attribute) privileged(tallies map[string]*tally, group string) error {
	priv, ok := tallies[group]
	if !ok {
		return fmt.Errorf("--privileged %q is not a value of this column (values: %v)", group, slices.Sorted(maps.Keys(tallies)))
	}
	var unpriv tally
	for value, t := range tallies {
		if value != group {
			unpriv.weight += t.weight
			unpriv.selected += t.selected
		}
	}
	a.DisparateImpact, a.StatisticalParityDifference = nil, nil
	if unpriv.weight == 0 {
		a.Notes = append(a.Notes, "every row is in the privileged group: disparate impact is undefined")
		return nil
	}
	pr, ur := priv.selected/priv.weight, unpriv.selected/unpriv.weight
	spd := ur - pr
	a.StatisticalParityDifference = &spd
	a.DisparateImpact = ratio(ur, pr)
	return nil
}

// check records a failure for every limit the figures break. Undefined
// figures (a ratio over zero) break no limit.
func (a *Attribute) check(l Limits) {
	over := func(name string, v *float64, limit *float64) {
		if v != nil && limit != nil && *v > *limit {
			a.Failures = append(a.Failures, name+" "+report.Num(*v)+" > "+report.Num(*limit))
		}
	}
	under := func(name string, v *float64, limit *float64) {
		if v != nil && limit != nil && *v < *limit {
			a.Failures = append(a.Failures, name+" "+report.Num(*v)+" < "+report.Num(*limit))
		}
	}
	over("demographic parity difference", &a.ParityDifference, l.MaxParityDifference)
	under("demographic parity ratio", a.ParityRatio, l.MinParityRatio)
	under("disparate impact", a.DisparateImpact, l.MinDisparateImpact)
	over("equalized odds difference", a.EqualizedOddsDifference, l.MaxEqualizedOddsDifference)
	over("equal opportunity difference", a.EqualOpportunityDifference, l.MaxEqualOpportunityDifference)
}

// rate is part/whole, 0 when whole is 0 (scikit-learn's normalised
// confusion matrix, which Fairlearn's rates use).
func rate(part, whole float64) float64 {
	if whole == 0 {
		return 0
	}
	return part / whole
}

// ratio is num/den, nil when den is 0.
func ratio(num, den float64) *float64 {
	if den == 0 {
		return nil
	}
	r := num / den
	return &r
}

func spread(x []float64) float64 { return slices.Max(x) - slices.Min(x) }

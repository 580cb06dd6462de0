//! Word-level diff of two texts, so that a reviewer can see what changed between two
//! revisions of a tjänsteutlåtande, section by section.
//!
//! How it works:
//!
//! 1. Both texts are cut into tokens: runs of non-whitespace ("words", punctuation
//!    included) and runs of whitespace. Cutting only at whitespace boundaries means a
//!    token never splits a `char`, and keeping the whitespace as tokens of its own means
//!    newlines and paragraph breaks survive into the output.
//! 2. The token sequences are diffed with Myers' O((N+M)·D) algorithm in its
//!    linear-space, divide-and-conquer form (split at the "middle snake"), which finds
//!    a shortest edit script. Two cheap steps keep it fast on real revisions: tokens
//!    found in only one text are set aside first (they can never match), and common
//!    prefixes and suffixes are peeled off at every level of the recursion.
//! 3. The raw edit script is tidied for a human reader:
//!    - a lone insertion or deletion is slid along repeated text so that it reads as
//!      whole words with their trailing space ("är {+mycket +}bra", not "är{+ mycket+} bra");
//!    - a space between two changes is folded into them, so that a run of
//!      replaced words reads as one replacement instead of a word-by-word zigzag
//!      (line and paragraph breaks are never folded: readers navigate by them);
//!    - within each changed stretch all removed text comes before all added text, and
//!      adjacent pieces of the same kind are merged.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Added,
    Removed,
}

/// One run of text with the same change kind. `text` includes the whitespace that
/// belongs to it, so that concatenating all `Same`+`Removed` pieces gives back `old`
/// exactly, and all `Same`+`Added` pieces gives back `new` exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub change: Change,
    pub text: String,
}

/// Word-level diff of two texts. Tokens are runs of non-whitespace and runs of
/// whitespace; newlines survive in the pieces. Adjacent pieces of the same kind are
/// merged, and where a stretch of text was replaced, the removed text comes first.
pub fn diff_words(old: &str, new: &str) -> Vec<Piece> {
    let old_tokens = tokenize(old);
    let new_tokens = tokenize(new);
    let (old_ids, new_ids) = intern(&old_tokens, &new_tokens);

    let mut ops: Vec<Op> = edit_script(&old_ids, &new_ids)
        .into_iter()
        .map(|(change, index)| match change {
            Change::Added => (change, new_tokens[index]),
            Change::Same | Change::Removed => (change, old_tokens[index]),
        })
        .collect();
    slide_to_word_boundaries(&mut ops);
    let ops = fold_spaces_into_replacements(ops);
    into_pieces(&ops)
}

/// True when there is any Added or Removed piece.
pub fn has_changes(pieces: &[Piece]) -> bool {
    pieces.iter().any(|piece| piece.change != Change::Same)
}

/// One token of the edit script with its fate.
type Op<'a> = (Change, &'a str);

/// Cuts `text` into alternating runs of whitespace and non-whitespace.
fn tokenize(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut start = 0;
    let mut previous_is_space = None;
    for (at, c) in text.char_indices() {
        let is_space = c.is_whitespace();
        if previous_is_space.is_some_and(|previous| previous != is_space) {
            tokens.push(&text[start..at]);
            start = at;
        }
        previous_is_space = Some(is_space);
    }
    if start < text.len() {
        tokens.push(&text[start..]);
    }
    tokens
}

fn is_space(token: &str) -> bool {
    token.starts_with(char::is_whitespace)
}

/// Maps equal tokens to equal numbers, so the diff compares integers, not strings.
fn intern<'a>(old: &[&'a str], new: &[&'a str]) -> (Vec<u32>, Vec<u32>) {
    let mut ids: HashMap<&'a str, u32> = HashMap::new();
    let mut id_of = |token: &'a str| {
        let next = u32::try_from(ids.len()).expect("fewer than 2^32 distinct tokens");
        *ids.entry(token).or_insert(next)
    };
    let old_ids = old.iter().map(|token| id_of(token)).collect();
    let new_ids = new.iter().map(|token| id_of(token)).collect();
    (old_ids, new_ids)
}

/// The edit script turning `old` into `new`, as `(change, index)` where the index
/// points into `old` for `Same`/`Removed` and into `new` for `Added`.
///
/// A token that occurs in only one of the texts can never be matched, so it is set
/// aside before diffing and put back afterwards as removed or added. This does not
/// change the result's quality (the common subsequence is the same), but it shrinks
/// the work a lot when a section was largely rewritten: Myers' cost grows with the
/// number of edits, and new wording is mostly words the old text did not have.
fn edit_script(old: &[u32], new: &[u32]) -> Vec<(Change, usize)> {
    let distinct = old
        .iter()
        .chain(new)
        .max()
        .map_or(0, |&max| max as usize + 1);
    let mut in_old = vec![false; distinct];
    let mut in_new = vec![false; distinct];
    old.iter().for_each(|&id| in_old[id as usize] = true);
    new.iter().for_each(|&id| in_new[id as usize] = true);
    let kept_old: Vec<usize> = (0..old.len())
        .filter(|&i| in_new[old[i] as usize])
        .collect();
    let kept_new: Vec<usize> = (0..new.len())
        .filter(|&j| in_old[new[j] as usize])
        .collect();
    let a: Vec<u32> = kept_old.iter().map(|&i| old[i]).collect();
    let b: Vec<u32> = kept_new.iter().map(|&j| new[j]).collect();

    let mut kept_script = Vec::with_capacity(a.len().max(b.len()));
    diff_range(&a, &b, 0, 0, &mut kept_script);

    // Walk the script over the kept tokens and emit the set-aside ones in between, in
    // their original order.
    let mut script = Vec::with_capacity(old.len() + new.len());
    let (mut next_old, mut next_new) = (0, 0);
    let removed_until = |until: usize, next_old: &mut usize, script: &mut Vec<_>| {
        script.extend((*next_old..until).map(|i| (Change::Removed, i)));
        *next_old = until;
    };
    let added_until = |until: usize, next_new: &mut usize, script: &mut Vec<_>| {
        script.extend((*next_new..until).map(|j| (Change::Added, j)));
        *next_new = until;
    };
    // `ka`/`kb`: how many kept old/new tokens the script has consumed so far.
    let (mut ka, mut kb) = (0, 0);
    for (change, _) in kept_script {
        if change != Change::Added {
            removed_until(kept_old[ka], &mut next_old, &mut script);
            next_old += 1;
        }
        if change != Change::Removed {
            added_until(kept_new[kb], &mut next_new, &mut script);
            next_new += 1;
        }
        script.push(match change {
            Change::Added => (change, kept_new[kb]),
            Change::Same | Change::Removed => (change, kept_old[ka]),
        });
        ka += usize::from(change != Change::Added);
        kb += usize::from(change != Change::Removed);
    }
    removed_until(old.len(), &mut next_old, &mut script);
    added_until(new.len(), &mut next_new, &mut script);
    script
}

/// Appends the edit script turning `a` into `b` to `out`, as `(change, index)` where the
/// index points into the old sequence for `Same`/`Removed` and into the new one for
/// `Added`. `a_off`/`b_off` are where the slices start in the full sequences.
fn diff_range(a: &[u32], b: &[u32], a_off: usize, b_off: usize, out: &mut Vec<(Change, usize)>) {
    // Revisions mostly share long stretches at both ends; peeling them off first is
    // cheap and leaves the real algorithm only the part that changed.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);

    out.extend((a_off..a_off + prefix).map(|i| (Change::Same, i)));
    let (a_mid, b_mid) = (a_off + prefix, b_off + prefix);
    diff_middle(a, b, a_mid, b_mid, out);
    let a_suffix = a_mid + a.len();
    out.extend((a_suffix..a_suffix + suffix).map(|i| (Change::Same, i)));
}

/// Like [`diff_range`], for sequences that share neither first nor last element.
fn diff_middle(a: &[u32], b: &[u32], a_off: usize, b_off: usize, out: &mut Vec<(Change, usize)>) {
    let remove_all =
        |out: &mut Vec<_>| out.extend((a_off..a_off + a.len()).map(|i| (Change::Removed, i)));
    let add_all =
        |out: &mut Vec<_>| out.extend((b_off..b_off + b.len()).map(|i| (Change::Added, i)));
    if a.is_empty() || b.is_empty() {
        remove_all(out);
        add_all(out);
        return;
    }
    match middle_snake(a, b) {
        // A split at either corner would recurse on the same problem forever; it cannot
        // happen once prefix and suffix are trimmed, but the guard costs nothing.
        Some((x, y)) if (x, y) != (0, 0) && (x, y) != (a.len(), b.len()) => {
            diff_range(&a[..x], &b[..y], a_off, b_off, out);
            diff_range(&a[x..], &b[y..], a_off + x, b_off + y, out);
        }
        _ => {
            remove_all(out);
            add_all(out);
        }
    }
}

/// Myers' middle snake: runs the greedy search forwards from the start and backwards
/// from the end at the same time, and returns a point `(x, y)` where the two meet. That
/// point lies on a shortest edit script, so the problem splits there into two halves
/// that each need about half the edits. Memory is O(N+M), time O((N+M)·D).
///
/// `v_fwd[k]` is the furthest `x` reached on diagonal `k = x - y` from the start;
/// `v_rev[k]` the same counted from the end. (Same formulation as Neil Fraser's
/// diff-match-patch `bisect`.)
fn middle_snake(a: &[u32], b: &[u32]) -> Option<(usize, usize)> {
    let n = a.len() as isize;
    let m = b.len() as isize;
    let max_d = (n + m + 1) / 2;
    let offset = max_d;
    let v_len = 2 * max_d + 2;
    let mut v_fwd = vec![-1isize; v_len as usize];
    let mut v_rev = vec![-1isize; v_len as usize];
    v_fwd[(offset + 1) as usize] = 0;
    v_rev[(offset + 1) as usize] = 0;

    let delta = n - m;
    // With an odd delta the paths can first meet while extending the forward one,
    // with an even delta while extending the reverse one.
    let check_on_forward = delta % 2 != 0;
    // Diagonals that ran off the edge of the grid are skipped from then on.
    let (mut k1_start, mut k1_end, mut k2_start, mut k2_end) = (0, 0, 0, 0);

    for d in 0..max_d {
        let mut k1 = -d + k1_start;
        while k1 <= d - k1_end {
            let i = (offset + k1) as usize;
            let mut x1 = if k1 == -d || (k1 != d && v_fwd[i - 1] < v_fwd[i + 1]) {
                v_fwd[i + 1]
            } else {
                v_fwd[i - 1] + 1
            };
            let mut y1 = x1 - k1;
            while x1 < n && y1 < m && a[x1 as usize] == b[y1 as usize] {
                x1 += 1;
                y1 += 1;
            }
            v_fwd[i] = x1;
            if x1 > n {
                k1_end += 2;
            } else if y1 > m {
                k1_start += 2;
            } else if check_on_forward {
                let j = offset + delta - k1;
                if (0..v_len).contains(&j) && v_rev[j as usize] != -1 {
                    let x2 = n - v_rev[j as usize];
                    if x1 >= x2 {
                        return Some((x1 as usize, y1 as usize));
                    }
                }
            }
            k1 += 2;
        }

        let mut k2 = -d + k2_start;
        while k2 <= d - k2_end {
            let i = (offset + k2) as usize;
            let mut x2 = if k2 == -d || (k2 != d && v_rev[i - 1] < v_rev[i + 1]) {
                v_rev[i + 1]
            } else {
                v_rev[i - 1] + 1
            };
            let mut y2 = x2 - k2;
            while x2 < n && y2 < m && a[(n - x2 - 1) as usize] == b[(m - y2 - 1) as usize] {
                x2 += 1;
                y2 += 1;
            }
            v_rev[i] = x2;
            if x2 > n {
                k2_end += 2;
            } else if y2 > m {
                k2_start += 2;
            } else if !check_on_forward {
                let j = offset + delta - k2;
                if (0..v_len).contains(&j) && v_fwd[j as usize] != -1 {
                    let x1 = v_fwd[j as usize];
                    let y1 = x1 - (j - offset);
                    if x1 >= n - x2 {
                        return Some((x1 as usize, y1 as usize));
                    }
                }
            }
            k2 += 2;
        }
    }
    None
}

/// A lone insertion or deletion inside repeated text can sit at several places that
/// all give the same texts ("är [mycket ]bra" vs "är[ mycket] bra"). Slide each one to
/// the place that reads best: starting with a word and ending with whitespace.
fn slide_to_word_boundaries(ops: &mut [Op]) {
    let mut start = 0;
    while start < ops.len() {
        let kind = ops[start].0;
        if kind == Change::Same {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < ops.len() && ops[end].0 == kind {
            end += 1;
        }
        // A run touching the other kind is half of a replacement; leave it be.
        let touches_change = (start > 0 && ops[start - 1].0 != Change::Same)
            || (end < ops.len() && ops[end].0 != Change::Same);
        start = if touches_change {
            end
        } else {
            slide_run(ops, start, end)
        };
    }
}

/// Moves the run `ops[start..end]` (all of one change kind, Same all around) to its best
/// position and returns where it now ends.
///
/// Moving the run one step left is allowed when the Same token just before it equals
/// the run's last token: both texts stay the same, only which copy is "the changed one"
/// differs. Likewise one step right.
fn slide_run(ops: &mut [Op], start: usize, end: usize) -> usize {
    let len = end - start;
    let kind = ops[start].0;
    let mut lo = start;
    while lo > 0 && ops[lo - 1].0 == Change::Same && ops[lo - 1].1 == ops[lo - 1 + len].1 {
        lo -= 1;
    }
    let mut hi = start;
    while hi + len < ops.len() && ops[hi + len].0 == Change::Same && ops[hi + len].1 == ops[hi].1 {
        hi += 1;
    }
    if lo == hi {
        return end;
    }

    let score = |at: usize| {
        let first_is_word = !is_space(ops[at].1);
        let last_is_space = is_space(ops[at + len - 1].1);
        u8::from(first_is_word) + u8::from(last_is_space)
    };
    // Leftmost of the best, for determinism.
    let best = (lo..=hi).rev().max_by_key(|&at| score(at)).unwrap_or(start);

    for op in &mut ops[lo..hi + len] {
        op.0 = Change::Same;
    }
    for op in &mut ops[best..best + len] {
        op.0 = kind;
    }
    best + len
}

/// A space (any whitespace without a newline) left unchanged between two changes that
/// together replace text is folded into them, so "[-a-]{+x+} [-b-]{+y+}" reads "[-a b-]{+x y+}".
/// Line and paragraph breaks stay as they are: they are how readers find their place.
fn fold_spaces_into_replacements(ops: Vec<Op>) -> Vec<Op> {
    let mut out = Vec::with_capacity(ops.len());
    let mut start = 0;
    while start < ops.len() {
        if ops[start].0 != Change::Same {
            out.push(ops[start]);
            start += 1;
            continue;
        }
        let mut end = start;
        while end < ops.len() && ops[end].0 == Change::Same {
            end += 1;
        }
        let inline_space = ops[start..end]
            .iter()
            .all(|op| is_space(op.1) && !op.1.contains('\n'));
        if start > 0 && end < ops.len() && inline_space && is_replacement(&ops, start, end) {
            for &(_, text) in &ops[start..end] {
                out.push((Change::Removed, text));
                out.push((Change::Added, text));
            }
        } else {
            out.extend_from_slice(&ops[start..end]);
        }
        start = end;
    }
    out
}

/// Whether the changes right before `start` and right after `end` together both
/// remove and add text. Folding a space between two pure insertions would show a
/// removed space that the author never removed.
fn is_replacement(ops: &[Op], start: usize, end: usize) -> bool {
    let before = ops[..start]
        .iter()
        .rev()
        .take_while(|op| op.0 != Change::Same);
    let after = ops[end..].iter().take_while(|op| op.0 != Change::Same);
    let (mut removes, mut adds) = (false, false);
    for op in before.chain(after) {
        removes |= op.0 == Change::Removed;
        adds |= op.0 == Change::Added;
    }
    removes && adds
}

/// Merges the token script into pieces; in each changed stretch (between two Same
/// pieces) all removed text comes first, then all added text.
fn into_pieces(ops: &[Op]) -> Vec<Piece> {
    fn flush(pieces: &mut Vec<Piece>, change: Change, text: &mut String) {
        if !text.is_empty() {
            pieces.push(Piece {
                change,
                text: std::mem::take(text),
            });
        }
    }

    let mut pieces = Vec::new();
    let (mut same, mut removed, mut added) = (String::new(), String::new(), String::new());
    for &(change, text) in ops {
        match change {
            Change::Same => {
                flush(&mut pieces, Change::Removed, &mut removed);
                flush(&mut pieces, Change::Added, &mut added);
                same.push_str(text);
            }
            Change::Removed => {
                flush(&mut pieces, Change::Same, &mut same);
                removed.push_str(text);
            }
            Change::Added => {
                flush(&mut pieces, Change::Same, &mut same);
                added.push_str(text);
            }
        }
    }
    flush(&mut pieces, Change::Same, &mut same);
    flush(&mut pieces, Change::Removed, &mut removed);
    flush(&mut pieces, Change::Added, &mut added);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Concatenates the pieces one side of the diff consists of.
    fn rebuild(pieces: &[Piece], side: Change) -> String {
        pieces
            .iter()
            .filter(|piece| piece.change == Change::Same || piece.change == side)
            .map(|piece| piece.text.as_str())
            .collect()
    }

    /// Diffs and checks the invariants every diff must satisfy.
    fn checked_diff(old: &str, new: &str) -> Vec<Piece> {
        let pieces = diff_words(old, new);
        assert_eq!(
            rebuild(&pieces, Change::Removed),
            old,
            "old rebuilt, {old:?} -> {new:?}"
        );
        assert_eq!(
            rebuild(&pieces, Change::Added),
            new,
            "new rebuilt, {old:?} -> {new:?}"
        );
        assert!(
            pieces.iter().all(|piece| !piece.text.is_empty()),
            "empty piece: {pieces:?}"
        );
        for pair in pieces.windows(2) {
            assert_ne!(
                pair[0].change, pair[1].change,
                "unmerged pieces: {pieces:?}"
            );
            assert!(
                !(pair[0].change == Change::Added && pair[1].change == Change::Removed),
                "added before removed: {pieces:?}"
            );
        }
        assert_eq!(has_changes(&pieces), old != new);
        pieces
    }

    /// Renders pieces as `same [-removed-]{+added+}`, for readable assertions.
    fn render(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|piece| match piece.change {
                Change::Same => piece.text.clone(),
                Change::Removed => format!("[-{}-]", piece.text),
                Change::Added => format!("{{+{}+}}", piece.text),
            })
            .collect()
    }

    fn piece(change: Change, text: &str) -> Piece {
        Piece {
            change,
            text: text.to_string(),
        }
    }

    #[test]
    fn identical_texts_are_one_same_piece() {
        let text = "Förvaltningen anser att förslaget är bra.\n\nDet bör genomföras.";
        assert_eq!(checked_diff(text, text), vec![piece(Change::Same, text)]);
        assert!(!has_changes(&diff_words(text, text)));
    }

    #[test]
    fn two_empty_texts_give_no_pieces() {
        assert_eq!(checked_diff("", ""), vec![]);
        assert!(!has_changes(&[]));
    }

    #[test]
    fn from_and_to_empty() {
        let text = "Ärendet återremitteras – se bilaga.";
        assert_eq!(checked_diff("", text), vec![piece(Change::Added, text)]);
        assert_eq!(checked_diff(text, ""), vec![piece(Change::Removed, text)]);
    }

    #[test]
    fn word_inserted_in_a_swedish_sentence() {
        let pieces = checked_diff(
            "Förvaltningen anser att förslaget är bra.",
            "Förvaltningen anser att förslaget är mycket bra.",
        );
        assert_eq!(
            pieces,
            vec![
                piece(Change::Same, "Förvaltningen anser att förslaget är "),
                piece(Change::Added, "mycket "),
                piece(Change::Same, "bra."),
            ]
        );
    }

    #[test]
    fn replaced_word_shows_removed_before_added() {
        let pieces = checked_diff(
            "Nämnden föreslås besluta att godkänna yttrandet.",
            "Nämnden föreslås besluta att avslå yttrandet.",
        );
        assert_eq!(
            render(&pieces),
            "Nämnden föreslås besluta att [-godkänna-]{+avslå+} yttrandet."
        );
        assert_eq!(pieces[1].change, Change::Removed);
        assert_eq!(pieces[2].change, Change::Added);
    }

    #[test]
    fn several_replaced_words_read_as_one_replacement() {
        let pieces = checked_diff(
            "Kostnaden beräknas till 10 000 kronor per år.",
            "Kostnaden beräknas till 12 500 kronor per år.",
        );
        assert_eq!(
            render(&pieces),
            "Kostnaden beräknas till [-10 000-]{+12 500+} kronor per år."
        );
    }

    #[test]
    fn word_removed() {
        let pieces = checked_diff(
            "Förvaltningen anser att förslaget är mycket bra.",
            "Förvaltningen anser att förslaget är bra.",
        );
        assert_eq!(
            render(&pieces),
            "Förvaltningen anser att förslaget är [-mycket -]bra."
        );
    }

    #[test]
    fn repeated_word_removed_reads_as_whole_word() {
        let pieces = checked_diff("Vi anser att att det är bra.", "Vi anser att det är bra.");
        assert_eq!(render(&pieces), "Vi anser [-att -]att det är bra.");
    }

    #[test]
    fn paragraph_added() {
        let old = "Bakgrund.\n\nFörvaltningens synpunkter.";
        let new = "Bakgrund.\n\nEtt nytt stycke om ekonomi.\n\nFörvaltningens synpunkter.";
        let pieces = checked_diff(old, new);
        assert_eq!(
            pieces,
            vec![
                piece(Change::Same, "Bakgrund.\n\n"),
                piece(Change::Added, "Ett nytt stycke om ekonomi.\n\n"),
                piece(Change::Same, "Förvaltningens synpunkter."),
            ]
        );
    }

    #[test]
    fn paragraph_break_is_not_folded_into_replacements() {
        let pieces = checked_diff("Första.\n\nAndra.", "Första!\n\nAndra!");
        assert_eq!(
            render(&pieces),
            "[-Första.-]{+Första!+}\n\n[-Andra.-]{+Andra!+}"
        );
    }

    #[test]
    fn whitespace_only_change() {
        let pieces = checked_diff("Hej  världen", "Hej världen");
        assert_eq!(render(&pieces), "Hej[-  -]{+ +}världen");

        let pieces = checked_diff("Stycke ett. Stycke två.", "Stycke ett.\n\nStycke två.");
        assert_eq!(render(&pieces), "Stycke ett.[- -]{+\n\n+}Stycke två.");
    }

    #[test]
    fn unicode_punctuation_is_kept_whole() {
        let pieces = checked_diff(
            "Beslutet – enligt ”bilaga 1” – gäller.",
            "Beslutet – enligt ”bilaga 2” – gäller från 1 maj.",
        );
        assert_eq!(
            render(&pieces),
            "Beslutet – enligt ”bilaga [-1”-]{+2”+} – [-gäller.-]{+gäller från 1 maj.+}"
        );
    }

    #[test]
    fn hand_written_pairs_rebuild_both_texts() {
        let pairs = [
            ("a", "b"),
            ("a b c", "x y z"),
            ("a b c", "a c"),
            ("a b c", "c b a"),
            (" leading", "leading "),
            ("\n\n", "\n"),
            ("ord", "ord\n\nNytt stycke."),
            (
                "Stycke ett.\n\nStycke två.\n\nStycke tre.",
                "Stycke ett.\n\nStycke tre.",
            ),
            ("å ä ö", "ö ä å"),
            ("x x x x", "x x"),
            ("a\tb\r\nc", "a b\nc"),
            ("Dnr KS 2019/1939", "Dnr KS 2020/12"),
            ("   ", ""),
            ("slut.", "slut. "),
            (
                "Kommunstyrelsen beslutar att anta förslaget.",
                "Kommunstyrelsen beslutar, efter beredning, att anta det reviderade förslaget.",
            ),
        ];
        for (old, new) in pairs {
            checked_diff(old, new);
            checked_diff(new, old);
        }
    }

    /// A tiny deterministic pseudo-random generator (xorshift64), so the tests need no crates.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const WORDS: [&str; 12] = [
        "att",
        "och",
        "är",
        "förslaget",
        "nämnden",
        "–",
        "bra.",
        "ö",
        "kr",
        "”ja”",
        "i",
        "år",
    ];
    const SPACES: [&str; 5] = [" ", " ", " ", "\n", "\n\n"];

    fn random_text(rng: &mut XorShift, max_words: usize) -> String {
        let mut text = String::new();
        for i in 0..rng.below(max_words + 1) {
            if i > 0 {
                text.push_str(SPACES[rng.below(SPACES.len())]);
            }
            text.push_str(WORDS[rng.below(WORDS.len())]);
        }
        text
    }

    /// Derives a revision of `text`: some words removed, replaced or added.
    fn random_edit(rng: &mut XorShift, text: &str) -> String {
        let mut words: Vec<&str> = text.split(' ').collect();
        for _ in 0..rng.below(4) {
            let at = rng.below(words.len() + 1);
            match rng.below(3) {
                0 if at < words.len() => {
                    words.remove(at);
                }
                1 if at < words.len() => words[at] = WORDS[rng.below(WORDS.len())],
                _ => words.insert(at, WORDS[rng.below(WORDS.len())]),
            }
        }
        words.join(" ")
    }

    #[test]
    fn random_pairs_rebuild_both_texts() {
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        for _ in 0..200 {
            // Unrelated texts: many changes.
            let old = random_text(&mut rng, 30);
            let new = random_text(&mut rng, 30);
            checked_diff(&old, &new);
            // Related texts: a few changes, as between two revisions.
            let revised = random_edit(&mut rng, &old);
            checked_diff(&old, &revised);
            checked_diff(&revised, &old);
        }
    }

    /// Length of a longest common subsequence, by the textbook table.
    fn lcs_len(a: &[u32], b: &[u32]) -> usize {
        let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                table[i][j] = if a[i - 1] == b[j - 1] {
                    table[i - 1][j - 1] + 1
                } else {
                    table[i - 1][j].max(table[i][j - 1])
                };
            }
        }
        table[a.len()][b.len()]
    }

    #[test]
    fn myers_finds_a_shortest_edit_script() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..300 {
            // A varying alphabet: small ones give many matches, larger ones give
            // tokens found on one side only (which `edit_script` sets aside).
            let alphabet = 2 + rng.below(8);
            let a: Vec<u32> = (0..rng.below(25))
                .map(|_| rng.below(alphabet) as u32)
                .collect();
            let b: Vec<u32> = (0..rng.below(25))
                .map(|_| rng.below(alphabet) as u32)
                .collect();
            let mut script = Vec::new();
            diff_range(&a, &b, 0, 0, &mut script);
            check_script(&a, &b, &script);
            check_script(&a, &b, &edit_script(&a, &b));
        }
    }

    /// Checks that `script` walks `a` and `b` in order, matching only equal tokens, and
    /// keeps as many as a longest common subsequence has: a shortest edit script.
    fn check_script(a: &[u32], b: &[u32], script: &[(Change, usize)]) {
        let (mut i, mut j) = (0, 0);
        for &(change, index) in script {
            match change {
                Change::Same => {
                    assert_eq!(index, i, "{a:?} -> {b:?}: {script:?}");
                    assert_eq!(a[i], b[j], "{a:?} -> {b:?}: {script:?}");
                    (i, j) = (i + 1, j + 1);
                }
                Change::Removed => {
                    assert_eq!(index, i, "{a:?} -> {b:?}: {script:?}");
                    i += 1;
                }
                Change::Added => {
                    assert_eq!(index, j, "{a:?} -> {b:?}: {script:?}");
                    j += 1;
                }
            }
        }
        assert_eq!((i, j), (a.len(), b.len()), "{a:?} -> {b:?}: {script:?}");
        let same = script.iter().filter(|(change, _)| *change == Change::Same);
        assert_eq!(same.count(), lcs_len(a, b), "{a:?} -> {b:?}: {script:?}");
    }

    #[test]
    fn long_section_with_a_few_edits() {
        let mut rng = XorShift(42);
        let words: Vec<&str> = (0..5_000).map(|_| WORDS[rng.below(WORDS.len())]).collect();
        let old = words.join(" ");
        let mut edited = words.clone();
        edited[10] = "ändrat";
        edited.remove(2_000);
        edited.insert(3_500, "tillagt");
        edited[4_900] = "slutet";
        let new = edited.join(" ");

        let pieces = checked_diff(&old, &new);
        let changed = pieces.iter().filter(|p| p.change != Change::Same).count();
        assert!(changed <= 8, "{changed} changed pieces for four edits");
    }

    #[test]
    fn long_sections_that_share_little_still_finish() {
        let mut rng = XorShift(7);
        let old = random_text(&mut rng, 3_000);
        let new = random_text(&mut rng, 3_000);
        checked_diff(&old, &new);
    }
}

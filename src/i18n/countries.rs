//! The company form's country list in the reader's language: the names are Fluent
//! messages `country-{code}` (`locales/{lang}/countries.ftl`, Unicode CLDR data written
//! by `scripts/country-names`), sorted by name as a reader looks them up, accents aside.
//! The code stays what the form submits.

use super::Tr;
use crate::domain::country::ISO_3166_ALPHA2;
use crate::domain::locale::Locale;

/// Every country the service accepts, `(code, name)`, sorted by name.
pub fn sorted_by_name(locale: Locale) -> Vec<(&'static str, String)> {
    let tr = Tr::new(locale);
    let mut countries: Vec<(String, &'static str, String)> = ISO_3166_ALPHA2
        .split(' ')
        .map(|code| {
            let name = tr.t(&format!("country-{code}"));
            (sort_key(&name), code, name)
        })
        .collect();
    countries.sort();
    countries
        .into_iter()
        .map(|(_, code, name)| (code, name))
        .collect()
}

/// A name as it is looked up in a list: lower case, accents and punctuation aside
/// ("Émirats arabes unis" among the E, "Åland" among the A).
fn sort_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => key.push('a'),
            'æ' => key.push_str("ae"),
            'ç' => key.push('c'),
            'è' | 'é' | 'ê' | 'ë' => key.push('e'),
            'ì' | 'í' | 'î' | 'ï' => key.push('i'),
            'ñ' => key.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => key.push('o'),
            'œ' => key.push_str("oe"),
            'ß' => key.push_str("ss"),
            'ù' | 'ú' | 'û' | 'ü' => key.push('u'),
            'ý' | 'ÿ' => key.push('y'),
            c if c.is_alphanumeric() || c == ' ' => key.push(c),
            _ => {}
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_has_a_name_in_every_language_sorted_as_a_reader_looks() {
        for locale in Locale::ALL {
            let countries = sorted_by_name(locale);
            assert_eq!(countries.len(), 249, "{locale}");
            for (code, name) in &countries {
                assert!(
                    !name.is_empty() && name != &format!("country-{code}") && name != code,
                    "{locale} {code}: {name}"
                );
                // Every letter of every name is known to the sort key (no name sorts last
                // because of an accent the key does not know).
                assert!(sort_key(name).is_ascii(), "{locale} {code}: {name}");
            }
        }
        let fr = sorted_by_name(Locale::Fr);
        let at = |code: &str| fr.iter().position(|(c, _)| *c == code).unwrap();
        assert_eq!(fr[at("BE")].1, "Belgique");
        // "Égypte" < "Émirats arabes unis" < "Équateur" < "Érythrée" < "Espagne" < "Estonie"
        assert!(at("EG") < at("AE") && at("AE") < at("EC") && at("EC") < at("ER"));
        assert!(at("ER") < at("ES") && at("ES") < at("EE"), "{fr:?}");
        let de = sorted_by_name(Locale::De);
        let first: Vec<&str> = de.iter().take(3).map(|(_, n)| n.as_str()).collect();
        assert_eq!(first, ["Afghanistan", "Ägypten", "Ålandinseln"]);
    }
}

evaluate(new File(itSources, 'registries.groovy'))

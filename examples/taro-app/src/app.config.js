export default defineAppConfig({
  pages: ['pages/index/index'],
  window: { navigationBarTitleText: 'miniapp-sdk', navigationBarBackgroundColor: '#fff', navigationBarTextStyle: 'black', backgroundTextStyle: 'light' },
})
